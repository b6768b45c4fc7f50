/**
 * The Security Observations frontend plugin for apps on the new frontend
 * system: the Security tab, the entity card and the API, as extensions.
 *
 * @packageDocumentation
 */

import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import { entitySecurityCard } from './extensions/entitySecurityCard';
import { entitySecurityContent } from './extensions/entitySecurityContent';
import { securityObservationsApi } from './extensions/securityObservationsApi';

/**
 * The Security Observations plugin for the new frontend system.
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'security-observations',
  info: { packageJson: () => import('../package.json') },
  extensions: [
    securityObservationsApi,
    entitySecurityContent,
    entitySecurityCard,
  ],
});
