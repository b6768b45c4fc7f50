import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { Request } from 'express';
import Router from 'express-promise-router';
import {
  BulkDeletionResponse,
  bulkDeletionRequestSchema,
} from 'backstage-plugin-security-observations-common';
import { EntityAuthorizer } from '../assessment/EntityAuthorizer';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { actorOf } from './actor';
import { auditedAction } from './auditedAction';
import { canonicalEntityRef } from './canonicalEntityRef';
import { rejectNul, validate } from './validate';

/**
 * Admin deletes of observations. Every route checks
 * `security-observations.observation.delete` on the entity (which a
 * service holds only when granted explicitly) and read; each delete is an
 * audit event. The tracker sync then closes their issues as not planned.
 */
export function deletionRoutes(options: {
  auditor: AuditorService;
  authorizer: EntityAuthorizer;
  httpAuth: HttpAuthService;
  store: SecurityObservationsStore;
  /** Starts a tracker sync run, which closes the deleted ones' issues. */
  triggerSync: () => Promise<void>;
}) {
  const { auditor, authorizer, httpAuth, store, triggerSync } = options;
  const router = Router();

  const deleteAudited = async (
    req: Request,
    entityRef: string,
    observationIds: string[],
  ) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await authorizer.authorizeDelete(entityRef, credentials);
    const result = await auditedAction(
      auditor,
      {
        eventId: 'observation-delete',
        request: req,
        meta: { entityRef, observationIds },
      },
      () =>
        store.deleteObservations({
          entityRef,
          observationIds,
          actor: actorOf(credentials),
          now: new Date(),
        }),
      deleted => ({ ...deleted }),
    );
    if (result.issuesToClose > 0) await triggerSync();
    return result;
  };

  router.delete('/v1/observations/:id', async (req, res) => {
    const { id } = req.params;
    rejectNul(id, 'id');
    const observation = await store.getObservation(id);
    if (!observation) {
      // Authenticate first, so an anonymous caller learns nothing.
      await httpAuth.credentials(req, { allow: ['user', 'service'] });
      throw new NotFoundError(`No observation ${id}`);
    }
    await deleteAudited(req, observation.entityRef, [observation.id]);
    res.status(204).end();
  });

  router.post('/v1/observation-deletions', async (req, res) => {
    const { entityRef: rawRef, observationIds } = validate(
      bulkDeletionRequestSchema,
      req.body,
    );
    const entityRef = canonicalEntityRef(rawRef, 'entityRef');
    const body: BulkDeletionResponse = await deleteAudited(
      req,
      entityRef,
      observationIds,
    );
    res.json(body);
  });

  return router;
}
