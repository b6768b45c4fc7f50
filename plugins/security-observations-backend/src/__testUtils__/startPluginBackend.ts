import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Knex } from 'knex';
import { securityObservationsPlugin } from '../plugin';

/**
 * Static tokens of the test backends, as backend.auth.externalAccess holds
 * them. The scanner's is restricted to uploads, as the README advises; the
 * reader's has no restrictions (so it may read, but never assess); the
 * security bot's was granted reading and assessing explicitly; the last is
 * restricted to another plugin.
 */
export const SCANNER_TOKEN = 'scanner-token-0123456789';
export const READER_TOKEN = 'reader-token-0123456789';
export const SECURITY_BOT_TOKEN = 'security-bot-token-0123456789';
export const CATALOG_ONLY_TOKEN = 'catalog-only-token-0123456789';

export const exampleEntities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments-api',
      namespace: 'default',
      annotations: { 'github.com/project-slug': 'acme-corp/payments-api' },
    },
    spec: { type: 'service', owner: 'group:default/team-payments' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'checkout-web',
      namespace: 'default',
      annotations: { 'security-observations/default-branch': 'develop' },
    },
    spec: { type: 'website', owner: 'group:default/team-storefront' },
  },
];

/**
 * The plugin in a test backend with Backstage's real auth, httpAuth and
 * permissions services, so scanners authenticate with real static tokens
 * and their access restrictions apply, a mocked
 * catalog holding the example entities, and the given database.
 */
export async function startPluginBackend(options: {
  knex: Knex;
  config?: Record<string, unknown>;
}) {
  return startTestBackend({
    features: [
      securityObservationsPlugin,
      authServiceFactory,
      httpAuthServiceFactory,
      // Backstage's own decisions for services, which honour access restrictions.
      permissionsServiceFactory,
      mockServices.database.factory({ knex: options.knex }),
      catalogServiceMock.factory({ entities: exampleEntities }),
      mockServices.rootConfig.factory({
        data: {
          backend: {
            auth: {
              externalAccess: [
                {
                  type: 'static',
                  options: { token: SCANNER_TOKEN, subject: 'ci-scanner' },
                  accessRestrictions: [
                    {
                      plugin: 'security-observations',
                      permission: 'security-observations.import.create',
                    },
                  ],
                },
                {
                  type: 'static',
                  options: { token: READER_TOKEN, subject: 'dashboards' },
                },
                {
                  type: 'static',
                  options: {
                    token: SECURITY_BOT_TOKEN,
                    subject: 'security-bot',
                  },
                  accessRestrictions: [
                    {
                      plugin: 'security-observations',
                      permission: [
                        'security-observations.observation.read',
                        'security-observations.observation.assess',
                      ],
                    },
                  ],
                },
                {
                  type: 'static',
                  options: {
                    token: CATALOG_ONLY_TOKEN,
                    subject: 'catalog-exporter',
                  },
                  accessRestrictions: [{ plugin: 'catalog' }],
                },
              ],
            },
          },
          ...options.config,
        },
      }),
    ],
  });
}
