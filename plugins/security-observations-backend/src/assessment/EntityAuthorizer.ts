import {
  BackstageCredentials,
  BackstagePrincipalAccessRestrictions,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  observationAssessPermission,
  observationDeletePermission,
  observationReadPermission,
} from 'backstage-plugin-security-observations-common';

/**
 * Checks the plugin's permissions, which are resource permissions on the
 * catalog entity the observations belong to: a policy can use the catalog's
 * conditions (for example "owners may assess").
 */
export class EntityAuthorizer {
  constructor(private readonly permissions: PermissionsService) {}

  /** Throws NotAllowedError (403) unless the caller may act on the entity. */
  async authorize(
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const [decision] = await this.permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed: ${permission.name} on ${entityRef}`,
      );
    }
  }

  /**
   * The assess permission, for assessments, comments, reviews and "Sync
   * now". Backstage never asks the policy about a service and allows it
   * every permission its access restrictions do not exclude, so a
   * scanner's static token would pass. Here a service passes only when its
   * restrictions name the assess permission: it was granted on purpose.
   *
   * The read permission too: those routes answer with observations (the
   * changes made, the pending review, the count queued), and a caller who
   * may not read the entity's observations learns nothing of them.
   */
  async authorizeAssessment(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    await this.authorizeGranted(
      observationAssessPermission,
      { verb: 'assess', doing: 'assessing' },
      entityRef,
      credentials,
    );
  }

  /**
   * The delete permission, which a policy should give admins only. Like
   * assessing, a service needs it granted explicitly, and the read
   * permission too: a delete tells which observations exist.
   */
  async authorizeDelete(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    await this.authorizeGranted(
      observationDeletePermission,
      { verb: 'delete observations', doing: 'deleting' },
      entityRef,
      credentials,
    );
  }

  /** A permission that services hold only when granted, plus read. */
  private async authorizeGranted(
    permission: ResourcePermission<'catalog-entity'>,
    words: { verb: string; doing: string },
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const principal = credentials.principal as {
      type: string;
      subject?: string;
      accessRestrictions?: BackstagePrincipalAccessRestrictions;
    };
    const { name } = permission;
    if (
      principal.type === 'service' &&
      !principal.accessRestrictions?.permissionNames?.includes(name)
    ) {
      throw new NotAllowedError(
        `Not allowed: ${name} on ${entityRef}: ${principal.subject} is a service, and services may ${words.verb} only when granted explicitly ` +
          `(list ${name} under accessRestrictions[].permission of its backend.auth.externalAccess entry). ${words.verb[0].toUpperCase()}${words.verb.slice(
            1,
          )} as a signed-in user instead.`,
      );
    }
    const [granted, read] = await this.permissions.authorize(
      [permission, observationReadPermission].map(p => ({
        permission: p,
        resourceRef: entityRef,
      })),
      { credentials },
    );
    if (granted.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${name} on ${entityRef}`);
    }
    if (read.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed: ${observationReadPermission.name} on ${entityRef}: ${words.doing} answers with the entity's observations, so it needs the read permission too`,
      );
    }
  }
}
