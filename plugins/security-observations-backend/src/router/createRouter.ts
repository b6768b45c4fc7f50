import { HttpRouterService } from '@backstage/backend-plugin-api';
import { HealthResponse } from 'backstage-plugin-security-observations-common';
import express from 'express';
import Router from 'express-promise-router';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';

export interface RouterOptions {
  store: SecurityObservationsStore;
}

/** Paths that need no Backstage credentials; registered by the plugin. */
export const unauthenticatedPaths: Parameters<
  HttpRouterService['addAuthPolicy']
>[0][] = [{ path: '/health', allow: 'unauthenticated' }];

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { store } = options;
  const router = Router();
  router.use(express.json());

  // Liveness for load balancers and for the Security tab's connection check.
  router.get('/health', async (_req, res) => {
    const ok = await store.ping();
    const body: HealthResponse = {
      status: 'ok',
      database: { client: store.clientName, ok },
    };
    res.status(ok ? 200 : 503).json(body);
  });

  return router;
}
