import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { securityObservationsApiRef, SecurityObservationsClient } from './api';
import { isSecurityObservationsAvailable } from './isSecurityObservationsAvailable';

const securityObservationsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: securityObservationsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SecurityObservationsClient({ discoveryApi, fetchApi }),
    }),
});

/** The Security tab on component pages. */
const entitySecurityContent = EntityContentBlueprint.make({
  name: 'security',
  params: {
    path: '/security',
    title: 'Security',
    filter: isSecurityObservationsAvailable,
    loader: () =>
      import('./components/EntitySecurityContent').then(m => (
        <m.EntitySecurityContent />
      )),
  },
});

/**
 * The Security Observations plugin for the new frontend system.
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'security-observations',
  info: { packageJson: () => import('../package.json') },
  extensions: [securityObservationsApi, entitySecurityContent],
});
