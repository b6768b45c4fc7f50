import { HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import Router from 'express-promise-router';
import {
  listObservationsQuerySchema,
  Status,
} from 'backstage-plugin-security-observations-common';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { validate } from './validate';

function canonicalEntityRef(entityRef: string, field: string): string {
  try {
    return stringifyEntityRef(parseEntityRef(entityRef));
  } catch (error) {
    throw new InputError(`${field}: ${(error as Error).message}`);
  }
}

/** Reading observations, their audit log and per-entity summaries. */
export function observationsRoutes(options: {
  httpAuth: HttpAuthService;
  store: SecurityObservationsStore;
  activeStatuses: Status[];
}) {
  const { httpAuth, store, activeStatuses } = options;
  const router = Router();

  router.get('/v1/observations', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const query = validate(listObservationsQuerySchema, req.query);
    res.json(
      await store.listObservations({
        ...query,
        entityRef: canonicalEntityRef(query.entityRef, 'entityRef'),
      }),
    );
  });

  router.get('/v1/observations/:id', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const observation = await store.getObservation(req.params.id);
    if (!observation) {
      throw new NotFoundError(`No observation ${req.params.id}`);
    }
    res.json(observation);
  });

  router.get('/v1/observations/:id/events', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const events = await store.listEvents(req.params.id);
    if (events.length === 0) {
      throw new NotFoundError(`No observation ${req.params.id}`);
    }
    res.json({ items: events });
  });

  router.get('/v1/entities/:entityRef/summary', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const entityRef = canonicalEntityRef(req.params.entityRef, 'entityRef');
    res.json(await store.getSummary(entityRef, activeStatuses));
  });

  return router;
}
