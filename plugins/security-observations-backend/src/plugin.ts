import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { securityObservationsPermissions } from 'backstage-plugin-security-observations-common';
import { EntityAuthorizer } from './assessment/EntityAuthorizer';
import { scheduleRiskAcceptanceExpiry } from './assessment/scheduleRiskAcceptanceExpiry';
import { readPluginConfig } from './config/readPluginConfig';
import { SecurityObservationsStore } from './database/SecurityObservationsStore';
import { ImportService } from './ingest/ImportService';
import { reportParsers } from './ingest/parsers';
import { createRouter, unauthenticatedPaths } from './router/createRouter';
import { readTrackersConfig } from './sync/routing/TrackerConfig';
import { resolveTrackerRoute } from './sync/routing/resolveTrackerRoute';

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
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
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
        httpAuth,
        httpRouter,
        logger,
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
        const imports = new ImportService({
          store,
          parsers: reportParsers,
          findEntity,
        });
        const trackers = readTrackersConfig(config);

        httpRouter.use(
          await createRouter({
            auditor,
            config: pluginConfig,
            authorizer: new EntityAuthorizer(permissions),
            httpAuth,
            imports,
            store,
            trackerRouteOf: async entityRef => {
              const entity = await findEntity(entityRef);
              return entity && resolveTrackerRoute(entity, trackers);
            },
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
