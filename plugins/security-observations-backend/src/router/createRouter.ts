import {
  AuditorService,
  HttpAuthService,
  HttpRouterService,
} from '@backstage/backend-plugin-api';
import { HealthResponse } from 'backstage-plugin-security-observations-common';
import express from 'express';
import Router from 'express-promise-router';
import { EntityAuthorizer } from '../assessment/EntityAuthorizer';
import { PluginConfig } from '../config/readPluginConfig';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { ImportService } from '../ingest/ImportService';
import { TrackerRoute } from '../sync/routing/resolveTrackerRoute';
import { assessmentRoutes } from './assessmentRoutes';
import { deletionRoutes } from './deletionRoutes';
import { httpErrorHandler } from './httpErrors';
import { importsRoutes } from './importsRoutes';
import { observationsRoutes } from './observationsRoutes';
import { rateLimited } from './rateLimit/rateLimited';
import { DEFAULT_RATE_LIMITS, RateLimits } from './rateLimit/readRateLimits';
import { principalOf } from './rateLimit/requestSubjects';
import { RequestRateLimiter } from './rateLimit/RequestRateLimiter';
import { reconcileRoutes } from './reconcileRoutes';
import { Reconciler } from '../twoWay/Reconciler';
import { syncRoutes } from './syncRoutes';

export interface RouterOptions {
  auditor: AuditorService;
  config: PluginConfig;
  authorizer: EntityAuthorizer;
  httpAuth: HttpAuthService;
  imports: ImportService;
  store: SecurityObservationsStore;
  trackerRouteOf: (entityRef: string) => Promise<TrackerRoute | undefined>;
  /** Starts a tracker sync run as soon as possible. */
  triggerSync: () => Promise<void>;
  /** Reads linked issues' live state from their trackers. */
  reconciler: Reconciler;
  /** `securityObservations.rateLimits`; the defaults when not given. */
  rateLimits?: RateLimits;
  /** Tests: epoch milliseconds for the rate limits' windows. */
  now?: () => number;
}

/** Paths that need no Backstage credentials; registered by the plugin. */
export const unauthenticatedPaths: Parameters<
  HttpRouterService['addAuthPolicy']
>[0][] = [
  { path: '/health', allow: 'unauthenticated' },
  // The route checks the token on its first line, itself, so that a wrong
  // one is told where scanner tokens are configured (see httpErrors).
  { path: '/v1/imports', allow: 'unauthenticated' },
];

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    auditor,
    config,
    authorizer,
    httpAuth,
    imports,
    store,
    trackerRouteOf,
    triggerSync,
    reconciler,
  } = options;
  const rateLimits = options.rateLimits ?? DEFAULT_RATE_LIMITS;
  const router = Router();

  // Liveness for load balancers and for the Security tab's connection check.
  router.get('/health', async (_req, res) => {
    const ok = await store.ping();
    const body: HealthResponse = {
      status: 'ok',
      database: { client: store.clientName, ok },
    };
    res.status(ok ? 200 : 503).json(body);
  });

  // Per principal, in this process's memory, before the body is read: one
  // runaway CI job cannot crowd out the others' uploads.
  router.post(
    '/v1/imports',
    rateLimited({
      limiter: new RequestRateLimiter({
        limit: rateLimits.imports.requestsPerMinute,
        now: options.now,
      }),
      what: 'uploads',
      subjectOf: principalOf(httpAuth),
    }),
  );

  // Reads its raw body itself: mounted before any JSON body parser.
  router.use(
    importsRoutes({
      auditor,
      authorizer,
      httpAuth,
      imports,
      limits: config.imports,
    }),
  );

  router.use(express.json());
  router.use(
    observationsRoutes({
      httpAuth,
      authorizer,
      store,
      activeStatuses: config.activeStatuses,
      trackerRouteOf,
    }),
  );

  router.use(
    assessmentRoutes({
      requireApproval: config.requireApproval,
      auditor,
      authorizer,
      httpAuth,
      store,
      pushesComments: async entityRef =>
        Boolean(
          (await trackerRouteOf(entityRef))?.tracker?.twoWay?.pushComments,
        ),
    }),
  );

  router.use(
    deletionRoutes({ auditor, authorizer, httpAuth, store, triggerSync }),
  );

  router.use(reconcileRoutes({ auditor, httpAuth, authorizer, reconciler }));

  router.use(
    syncRoutes({
      httpAuth,
      authorizer,
      store,
      activeStatuses: config.activeStatuses,
      trackerRouteOf,
      triggerSync,
    }),
  );

  router.use(httpErrorHandler);
  return router;
}
