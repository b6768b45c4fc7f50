import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import {
  coreServices,
  createBackendModule,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityPermissionResourceRef } from '@backstage/plugin-catalog-node/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
import permissionBackend from '@backstage/plugin-permission-backend';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  observationAssessPermission,
  observationReadPermission,
} from 'backstage-plugin-security-observations-common';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { securityObservationsPlugin } from '../plugin';

jest.setTimeout(60_000);

const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', owner: 'user:default/alice' },
};
const entityRef = 'component:default/payments-api';

/**
 * The catalog's side of the permission framework, as the real catalog
 * plugin registers it: the catalog-entity resource type with its rules
 * (isEntityOwner, ...) and a loader of entities for conditional decisions.
 */
const catalogPermissions = createBackendPlugin({
  pluginId: 'catalog',
  register(env) {
    env.registerInit({
      deps: { permissionsRegistry: coreServices.permissionsRegistry },
      async init({ permissionsRegistry }) {
        permissionsRegistry.addResourceType({
          resourceRef: catalogEntityPermissionResourceRef,
          rules: Object.values(permissionRules),
          getResources: async refs =>
            refs.map(ref =>
              [payments].find(entity => stringifyEntityRef(entity) === ref),
            ),
        });
      },
    });
  },
});

/** Test policy: owners assess; everyone but mallory reads. */
const testPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'test-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(req, user) {
            if (isPermission(req.permission, observationReadPermission)) {
              return {
                result:
                  user?.info.userEntityRef === 'user:default/mallory'
                    ? AuthorizeResult.DENY
                    : AuthorizeResult.ALLOW,
              };
            }
            if (isPermission(req.permission, observationAssessPermission)) {
              return {
                result: AuthorizeResult.CONDITIONAL,
                pluginId: 'catalog',
                resourceType: 'catalog-entity',
                conditions: {
                  rule: 'IS_ENTITY_OWNER',
                  resourceType: 'catalog-entity',
                  params: { claims: user?.info.ownershipEntityRefs ?? [] },
                },
              };
            }
            return { result: AuthorizeResult.DENY };
          },
        });
      },
    });
  },
});

describe('permissions on the reading routes', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'lets readers read and answers 403 to a denied user on every route, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startTestBackend({
        features: [
          securityObservationsPlugin,
          permissionBackend,
          testPolicy,
          catalogPermissions,
          permissionsServiceFactory,
          permissionsRegistryServiceFactory,
          mockServices.database.factory({ knex }),
          catalogServiceMock.factory({ entities: [payments] }),
          mockServices.rootConfig.factory({
            data: { permission: { enabled: true } },
          }),
        ],
      });

      const imported = await request(server)
        .post('/api/security-observations/v1/imports')
        .query({ entityRef })
        .set('Authorization', mockCredentials.service.header())
        .set('Content-Type', 'application/json')
        .send(
          fs.readFileSync(
            path.resolve(
              __dirname,
              '../ingest/parsers/__fixtures__/trivy/image-debian-v1.json',
            ),
            'utf8',
          ),
        );
      expect(imported.status).toBe(201);
      const [{ id }] = await knex('observations').select('id').limit(1);

      const routes = [
        `/v1/observations?entityRef=${encodeURIComponent(entityRef)}`,
        `/v1/observations/${id}`,
        `/v1/observations/${id}/events`,
        `/v1/entities/${encodeURIComponent(entityRef)}/summary`,
      ];
      for (const route of routes) {
        const asBob = await request(server)
          .get(`/api/security-observations${route}`)
          .set(
            'Authorization',
            mockCredentials.user.header('user:default/bob'),
          );
        expect({ route, status: asBob.status }).toEqual({ route, status: 200 });

        const asMallory = await request(server)
          .get(`/api/security-observations${route}`)
          .set(
            'Authorization',
            mockCredentials.user.header('user:default/mallory'),
          );
        expect({ route, status: asMallory.status }).toEqual({
          route,
          status: 403,
        });
        expect(asMallory.body.error.message).toBe(
          `Not allowed: security-observations.observation.read on ${entityRef}`,
        );
      }
      await knex.destroy();
    },
  );
});
