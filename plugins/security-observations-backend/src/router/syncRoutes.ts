import { HttpAuthService } from '@backstage/backend-plugin-api';
import { NotImplementedError } from '@backstage/errors';
import Router from 'express-promise-router';
import { observationAssessPermission } from 'backstage-plugin-security-observations-common';
import { EntityAuthorizer } from '../assessment/EntityAuthorizer';
import { canonicalEntityRef } from './canonicalEntityRef';

/**
 * `POST /v1/entities/:entityRef/sync`, the Security tab's "Sync now". This
 * version resolves each entity's tracker route but does not push issues
 * yet: the route says so (501) to whoever may sync, instead of a silent
 * success or a bare 404.
 */
export function syncRoutes(options: {
  httpAuth: HttpAuthService;
  authorizer: EntityAuthorizer;
}) {
  const { httpAuth, authorizer } = options;
  const router = Router();

  router.post('/v1/entities/:entityRef/sync', async (req, _res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = canonicalEntityRef(req.params.entityRef, 'entityRef');
    await authorizer.authorize(
      observationAssessPermission,
      entityRef,
      credentials,
    );
    throw new NotImplementedError(
      'This version of the Security Observations backend does not push issues to trackers yet; the tracker sync comes with the next release',
    );
  });

  return router;
}
