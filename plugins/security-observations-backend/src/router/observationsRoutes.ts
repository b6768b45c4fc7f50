import { HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { Request } from 'express';
import Router from 'express-promise-router';
import {
  listObservationsQuerySchema,
  observationReadPermission,
  Status,
  trendQuerySchema,
} from 'backstage-plugin-security-observations-common';
import { EntityAuthorizer } from '../assessment/EntityAuthorizer';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { TrackerRoute } from '../sync/routing/resolveTrackerRoute';
import { canonicalEntityRef } from './canonicalEntityRef';
import { rejectNul, validate } from './validate';

/**
 * Reading observations, their audit log and per-entity summaries. Every
 * route checks `security-observations.observation.read` on the entity.
 */
export function observationsRoutes(options: {
  httpAuth: HttpAuthService;
  authorizer: EntityAuthorizer;
  store: SecurityObservationsStore;
  activeStatuses: Status[];
  /** The entity's tracker route; undefined when it is not in the catalog. */
  trackerRouteOf: (entityRef: string) => Promise<TrackerRoute | undefined>;
}) {
  const { httpAuth, authorizer, store, activeStatuses, trackerRouteOf } =
    options;
  const router = Router();

  const authorizeRead = async (req: Request, entityRef: string) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await authorizer.authorize(
      observationReadPermission,
      entityRef,
      credentials,
    );
  };

  /** The observation, once the caller may read its entity's observations. */
  const readableObservation = async (req: Request, id: string) => {
    rejectNul(id, 'id');
    const observation = await store.getObservation(id);
    if (!observation) {
      // Authenticate first, so an anonymous caller learns nothing.
      await httpAuth.credentials(req, { allow: ['user', 'service'] });
      throw new NotFoundError(`No observation ${id}`);
    }
    await authorizeRead(req, observation.entityRef);
    return observation;
  };

  router.get('/v1/observations', async (req, res) => {
    const query = validate(listObservationsQuerySchema, req.query);
    const entityRef = canonicalEntityRef(query.entityRef, 'entityRef');
    await authorizeRead(req, entityRef);
    res.json(await store.listObservations({ ...query, entityRef }));
  });

  router.get('/v1/observations/:id', async (req, res) => {
    res.json(await readableObservation(req, req.params.id));
  });

  router.get('/v1/observations/:id/events', async (req, res) => {
    const observation = await readableObservation(req, req.params.id);
    res.json({ items: await store.listEvents(observation.id) });
  });

  router.get('/v1/observations/:id/comments', async (req, res) => {
    const observation = await readableObservation(req, req.params.id);
    res.json({ items: await store.listComments(observation.id) });
  });

  router.get('/v1/entities/:entityRef/trend', async (req, res) => {
    rejectNul(req.params.entityRef, 'entityRef');
    const entityRef = canonicalEntityRef(req.params.entityRef, 'entityRef');
    const { days } = validate(trendQuerySchema, req.query);
    await authorizeRead(req, entityRef);
    res.json(
      await store.getTrend({
        entityRef,
        days,
        activeStatuses,
        now: new Date(),
      }),
    );
  });

  router.get('/v1/entities/:entityRef/summary', async (req, res) => {
    rejectNul(req.params.entityRef, 'entityRef');
    const entityRef = canonicalEntityRef(req.params.entityRef, 'entityRef');
    await authorizeRead(req, entityRef);
    const [summary, route, targetProblem] = await Promise.all([
      store.getSummary(entityRef, activeStatuses),
      trackerRouteOf(entityRef),
      store.targetProblemOf(entityRef),
    ]);
    res.json({
      ...summary,
      ...(route && {
        tracker: {
          trackerId: route.tracker?.id ?? null,
          kind: route.tracker?.type ?? null,
          target: route.target,
          url: route.url,
          problem: route.problem,
          targetProblem: route.tracker ? targetProblem : null,
        },
      }),
    });
  });

  return router;
}
