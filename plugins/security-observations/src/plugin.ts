import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { securityObservationsApiRef, SecurityObservationsClient } from './api';

/**
 * The Security Observations plugin for apps on the legacy frontend system.
 * New-frontend-system apps use the default export of `./alpha` instead.
 * @public
 */
export const securityObservationsPlugin = createPlugin({
  id: 'security-observations',
  apis: [
    createApiFactory({
      api: securityObservationsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SecurityObservationsClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/**
 * The Security tab content, for `EntityLayout.Route` on entity pages.
 * @public
 */
export const EntitySecurityContent = securityObservationsPlugin.provide(
  createComponentExtension({
    name: 'EntitySecurityContent',
    component: {
      lazy: () =>
        import('./components/EntitySecurityContent').then(
          m => m.EntitySecurityContent,
        ),
    },
  }),
);

/**
 * The overview-page card: active observations per severity and the newest
 * critical and high ones, linking into the Security tab.
 * @public
 */
export const EntitySecurityCard = securityObservationsPlugin.provide(
  createComponentExtension({
    name: 'EntitySecurityCard',
    component: {
      lazy: () =>
        import('./components/EntitySecurityCard').then(
          m => m.EntitySecurityCard,
        ),
    },
  }),
);
