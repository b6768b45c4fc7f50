import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import Router from 'express-promise-router';
import { ReconcileResponse } from 'backstage-plugin-security-observations-common';
import { EntityAuthorizer } from '../assessment/EntityAuthorizer';
import { Reconciler } from '../twoWay/Reconciler';
import { auditedAction } from './auditedAction';
import { canonicalEntityRef } from './canonicalEntityRef';

/**
 * The reconciliation of one entity's linked issues, on demand.
 * `GET /v1/entities/:entityRef/reconcile?dryRun=true` reads the trackers
 * and lists what would change, changing nothing; `POST` to the same path
 * applies it. Both spend tracker requests, so both need the assess
 * permission on the entity, as "Sync now" does.
 */
export function reconcileRoutes(options: {
  auditor: AuditorService;
  httpAuth: HttpAuthService;
  authorizer: EntityAuthorizer;
  reconciler: Reconciler;
}) {
  const { auditor, httpAuth, authorizer, reconciler } = options;
  const router = Router();

  router.get('/v1/entities/:entityRef/reconcile', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = canonicalEntityRef(req.params.entityRef, 'entityRef');
    if (req.query.dryRun !== 'true') {
      throw new InputError(
        `dryRun: GET only lists what a reconciliation would change, so it needs dryRun=true; POST to the same path applies it`,
      );
    }
    await authorizer.authorizeAssessment(entityRef, credentials);
    const result = await reconciler.run({ entityRef, dryRun: true });
    const body: ReconcileResponse = { entityRef, ...result };
    res.json(body);
  });

  router.post('/v1/entities/:entityRef/reconcile', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = canonicalEntityRef(req.params.entityRef, 'entityRef');
    await authorizer.authorizeAssessment(entityRef, credentials);
    const result = await auditedAction(
      auditor,
      {
        eventId: 'tracker-reconcile',
        request: req,
        meta: { entityRef },
      },
      () => reconciler.run({ entityRef }),
      done => ({ checked: done.checked, changed: done.items.length }),
    );
    const body: ReconcileResponse = { entityRef, ...result };
    res.json(body);
  });

  return router;
}
