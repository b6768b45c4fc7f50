import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { SecurityObservationsStore } from './database/SecurityObservationsStore';
import { createRouter, unauthenticatedPaths } from './router/createRouter';

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
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
      },
      async init({ database, httpRouter, logger }) {
        const store = await SecurityObservationsStore.create({ database });

        httpRouter.use(await createRouter({ store }));
        unauthenticatedPaths.forEach(policy =>
          httpRouter.addAuthPolicy(policy),
        );

        logger.info(`Security observations store ready on ${store.clientName}`);
      },
    });
  },
});
