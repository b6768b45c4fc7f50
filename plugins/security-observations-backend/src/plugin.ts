import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { securityObservationsPermissions } from 'backstage-plugin-security-observations-common';
import { EntityAuthorizer } from './assessment/EntityAuthorizer';
import { scheduleRiskAcceptanceExpiry } from './assessment/scheduleRiskAcceptanceExpiry';
import { readPluginConfig } from './config/readPluginConfig';
import { SecurityObservationsStore } from './database/SecurityObservationsStore';
import { ImportService } from './ingest/ImportService';
import { reportParsers, xmlReportParsers } from './ingest/parsers';
import { createRouter, unauthenticatedPaths } from './router/createRouter';
import { readRateLimits } from './router/rateLimit/readRateLimits';
import { EntityRoutes } from './sync/routing/EntityRoutes';
import { readTrackersConfig } from './sync/routing/TrackerConfig';
import { scheduleTrackerSync } from './sync/scheduleTrackerSync';
import { DeletedIssueCloser } from './sync/DeletedIssueCloser';
import { SyncEngine } from './sync/SyncEngine';
import { SyncFailureNotifier } from './sync/SyncFailureNotifier';
import { TrackerClients } from './sync/TrackerClients';
import { CommentPusher } from './twoWay/CommentPusher';
import { Reconciler } from './twoWay/Reconciler';
import { scheduleReconciliation } from './twoWay/scheduleReconciliation';
import { TrackerActivityService } from './twoWay/TrackerActivityService';
import { subscribeToTrackerWebhooks } from './twoWay/TrackerWebhookSubscriber';

/**
 * The Security Observations backend plugin: wiring only. Core services go in,
 * small classes come out.
 *
 * @public
 */
export const securityObservationsPlugin = createBackendPlugin({
  pluginId: 'security-observations',
  register(env) {
    env.registerInit({
      deps: {
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        events: eventsServiceRef,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        notifications: notificationService,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
      },
      async init({
        auditor,
        auth,
        catalog,
        config,
        database,
        events,
        httpAuth,
        httpRouter,
        logger,
        notifications,
        permissions,
        permissionsRegistry,
        scheduler,
      }) {
        // Listed in the permission metadata, so policies and tools see them.
        permissionsRegistry.addPermissions(securityObservationsPermissions);
        const pluginConfig = readPluginConfig(config);
        const store = await SecurityObservationsStore.create({ database });

        // The plugin's own credentials: a scanner's static token is trusted
        // to upload, but usually not granted catalog reads.
        const findEntity = async (entityRef: string) =>
          catalog.getEntityByRef(entityRef, {
            credentials: await auth.getOwnServiceCredentials(),
          });
        const trackers = readTrackersConfig(config);
        const clients = new TrackerClients({
          config,
          trackers,
          logger,
          creationTimes: (trackerId, since) =>
            store.issueCreationTimes(trackerId, since),
        });
        const routes = new EntityRoutes({
          trackers,
          unavailableReason: trackerId => clients.unavailableReason(trackerId),
          entitiesByRefs: async entityRefs =>
            (
              await catalog.getEntitiesByRefs(
                { entityRefs },
                { credentials: await auth.getOwnServiceCredentials() },
              )
            ).items.map(entity => entity ?? undefined),
        });
        const imports = new ImportService({
          store,
          parsers: reportParsers,
          xmlParsers: xmlReportParsers,
          findEntity,
          syncsBranch: (entity, branch) => routes.syncsBranch(entity, branch),
        });
        // Two-way sync: what trackers say back, by webhook or by reading.
        const activities = new TrackerActivityService({
          store,
          trackers,
          clients,
          requireApproval: pluginConfig.requireApproval,
          auditor,
          logger,
        });
        await subscribeToTrackerWebhooks({
          events,
          trackers,
          activities,
          logger,
        });
        const reconciler = new Reconciler({
          store,
          clients,
          activities,
          logger,
          maxIssuesPerRun: pluginConfig.reconcile.maxIssuesPerRun,
        });
        await scheduleReconciliation({
          scheduler,
          reconciler,
          logger,
          schedule: pluginConfig.reconcile.schedule,
        });

        const sync = await scheduleTrackerSync({
          scheduler,
          logger,
          schedule: pluginConfig.sync.schedule,
          commentPusher: new CommentPusher({
            store,
            trackers,
            clients,
            logger,
          }),
          deletedIssueCloser: new DeletedIssueCloser({
            store,
            clients,
            appBaseUrl: pluginConfig.sync.appBaseUrl,
            logger,
          }),
          engine: new SyncEngine({
            store,
            routesOf: entityRefs => routes.routesOf(entityRefs),
            clients,
            notifier: new SyncFailureNotifier({ store, notifications, logger }),
            activeStatuses: pluginConfig.activeStatuses,
            appBaseUrl: pluginConfig.sync.appBaseUrl,
            logger,
          }),
        });

        httpRouter.use(
          await createRouter({
            auditor,
            config: pluginConfig,
            authorizer: new EntityAuthorizer(permissions),
            httpAuth,
            imports,
            store,
            trackerRouteOf: entityRef => routes.routeOfRef(entityRef),
            triggerSync: () => sync.trigger(),
            reconciler,
            rateLimits: readRateLimits(config),
          }),
        );
        unauthenticatedPaths.forEach(policy =>
          httpRouter.addAuthPolicy(policy),
        );

        await scheduleRiskAcceptanceExpiry({ scheduler, store, logger });

        logger.info(`Security observations store ready on ${store.clientName}`);
      },
    });
  },
});
