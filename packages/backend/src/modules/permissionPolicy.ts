import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  observationAssessPermission,
  observationDeletePermission,
} from 'backstage-plugin-security-observations-common';

/** The example's application-security team: its members may delete observations. */
export const APPSEC_GROUP = 'group:default/appsec';

/**
 * The example's permission policy: an entity's owners may assess its
 * observations; everyone signed in may read them; only members of the
 * appsec group may delete them. Everything else is allowed, as in the app
 * that create-app generates.
 *
 * To change who may assess, change the conditions below: for example
 * `catalogConditions.hasAnnotation(...)`, or a check of
 * `user.info.ownershipEntityRefs` against an application-security group.
 */
export class SecurityObservationsExamplePolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (isPermission(request.permission, observationDeletePermission)) {
      return {
        result: user?.info.ownershipEntityRefs?.includes(APPSEC_GROUP)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    }
    if (isPermission(request.permission, observationAssessPermission)) {
      return createCatalogConditionalDecision(
        request.permission,
        catalogConditions.isEntityOwner({
          claims: user?.info.ownershipEntityRefs ?? [],
        }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'security-observations-example-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new SecurityObservationsExamplePolicy());
      },
    });
  },
});
