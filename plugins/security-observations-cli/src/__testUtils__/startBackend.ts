import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import securityObservationsPlugin from 'backstage-plugin-security-observations-backend';
import { AddressInfo } from 'node:net';

/** Static tokens of backend.auth.externalAccess, as the README advises them. */
export const SCANNER_TOKEN = 'scanner-token-0123456789abcdef';
export const TRIAGE_TOKEN = 'triage-token-0123456789abcdef';

/**
 * The Security Observations backend plugin, served over real HTTP on a
 * free port, with Backstage's real auth, httpAuth and permission services
 * (so static tokens and their access restrictions apply), a catalog
 * holding payments-api, and the given database (the caller's
 * `TestDatabases`, which registers its own test hooks).
 */
export async function startBackend(
  knex: Awaited<ReturnType<TestDatabases['init']>>,
) {
  const backend = await startTestBackend({
    features: [
      securityObservationsPlugin,
      authServiceFactory,
      httpAuthServiceFactory,
      permissionsServiceFactory,
      mockServices.database.factory({ knex }),
      catalogServiceMock.factory({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'payments-api', namespace: 'default' },
            spec: { type: 'service', owner: 'group:default/team-payments' },
          },
        ],
      }),
      mockServices.rootConfig.factory({
        data: {
          backend: {
            auth: {
              externalAccess: [
                {
                  // CI's token: uploads, nothing else.
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
                  // The security team's automation: reads and assesses.
                  type: 'static',
                  options: { token: TRIAGE_TOKEN, subject: 'security-bot' },
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
              ],
            },
          },
        },
      }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => backend.stop(),
  };
}
