import { HttpAuthService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import Router from 'express-promise-router';
import { Status } from 'backstage-plugin-security-observations-common';
import { EntityAuthorizer } from '../assessment/EntityAuthorizer';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { TrackerRoute } from '../sync/routing/resolveTrackerRoute';
import { canonicalEntityRef } from './canonicalEntityRef';

/**
 * `POST /v1/entities/:entityRef/sync`, the Security tab's "Sync now":
 * queues the entity's observations that a sync could act on and starts a
 * run of the scheduled sync. Unchanged observations then cost no tracker
 * call. A route that cannot work answers 409 with what to fix.
 */
export function syncRoutes(options: {
  httpAuth: HttpAuthService;
  authorizer: EntityAuthorizer;
  store: SecurityObservationsStore;
  activeStatuses: Status[];
  trackerRouteOf: (entityRef: string) => Promise<TrackerRoute | undefined>;
  triggerSync: () => Promise<void>;
}) {
  const { httpAuth, authorizer, store } = options;
  const router = Router();

  router.post('/v1/entities/:entityRef/sync', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = canonicalEntityRef(req.params.entityRef, 'entityRef');
    await authorizer.authorizeAssessment(entityRef, credentials);
    const route = await options.trackerRouteOf(entityRef);
    if (!route) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
    if (route.problem) {
      throw new ConflictError(`Cannot sync ${entityRef}: ${route.problem}`);
    }
    if (!route.tracker) {
      throw new ConflictError(
        `Cannot sync ${entityRef}: it names no tracker (no github.com/project-slug, gitlab.com/project-slug or jira/project-key annotation)`,
      );
    }
    const queued = await store.enqueueEntity({
      entityRef,
      branch: route.defaultBranch,
      activeStatuses: options.activeStatuses,
      now: new Date(),
    });
    await options.triggerSync();
    res.status(202).json({ queued });
  });

  return router;
}
