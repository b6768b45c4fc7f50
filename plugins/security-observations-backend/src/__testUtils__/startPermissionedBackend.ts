import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import {
  AuthService,
  coreServices,
  createBackendModule,
  createBackendPlugin,
  createServiceFactory,
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
  observationDeletePermission,
  observationReadPermission,
} from 'backstage-plugin-security-observations-common';
import { Knex } from 'knex';
import { securityObservationsPlugin } from '../plugin';

/** Owned by alice and carol. */
export const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', owner: 'user:default/alice' },
  // What the catalog's processing adds, and isEntityOwner reads.
  relations: [
    { type: 'ownedBy', targetRef: 'user:default/alice' },
    { type: 'ownedBy', targetRef: 'user:default/carol' },
  ],
};
export const paymentsRef = 'component:default/payments-api';

/** Owned by bob. */
export const checkout: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'checkout-web', namespace: 'default' },
  spec: { type: 'website', owner: 'user:default/bob' },
  relations: [{ type: 'ownedBy', targetRef: 'user:default/bob' }],
};
export const checkoutRef = 'component:default/checkout-web';

/**
 * The catalog's side of the permission framework, as the real catalog
 * plugin registers it with the permissions registry: the catalog-entity
 * resource type with its rules (isEntityOwner, ...) and a loader of
 * these entities for conditional decisions.
 */
export function catalogPermissionsOf(entities: Entity[]) {
  return createBackendPlugin({
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
                entities.find(entity => stringifyEntityRef(entity) === ref),
              ),
          });
        },
      });
    },
  });
}

/**
 * Backstage's mock auth, except that a token a plugin gets on behalf of a
 * user names that plugin as the actor, as the real auth service's tokens
 * do: the permissions registry's apply-conditions endpoint, which the
 * permission backend calls for conditional decisions, refuses a user
 * without one.
 */
export const authWithActors = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const pluginId = plugin.getId();
    const auth = mockServices.auth({ pluginId });
    return {
      authenticate: (token, options) => auth.authenticate(token, options),
      isPrincipal: auth.isPrincipal.bind(auth) as AuthService['isPrincipal'],
      getNoneCredentials: () => auth.getNoneCredentials(),
      getOwnServiceCredentials: () => auth.getOwnServiceCredentials(),
      getLimitedUserToken: credentials => auth.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => auth.listPublicServiceKeys(),
      async getPluginRequestToken(options) {
        const { onBehalfOf } = options;
        if (!auth.isPrincipal(onBehalfOf, 'user')) {
          return auth.getPluginRequestToken(options);
        }
        return {
          token: mockCredentials.user.token(
            onBehalfOf.principal.userEntityRef,
            { actor: { subject: `plugin:${pluginId}` } },
          ),
        };
      },
    };
  },
});

/** The one user the test policy lets delete observations. */
export const ADMIN = 'user:default/admin';

/** Test policy: owners assess; everyone but mallory reads; the admin deletes. */
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
            if (isPermission(req.permission, observationDeletePermission)) {
              return {
                result:
                  user?.info.userEntityRef === ADMIN
                    ? AuthorizeResult.ALLOW
                    : AuthorizeResult.DENY,
              };
            }
            return { result: AuthorizeResult.DENY };
          },
        });
      },
    });
  },
});

/**
 * The plugin with the real permission backend, the test policy above, the
 * catalog's permission rules, mock user credentials
 * (`mockCredentials.user.header('user:default/alice')`) and the given
 * database.
 */
export function startPermissionedBackend(
  knex: Knex,
  config: Record<string, unknown> = {},
  /** More features or service mocks, e.g. `mockServices.auditor.mock().factory`. */
  extraFeatures: Parameters<typeof startTestBackend>[0]['features'] = [],
) {
  return startTestBackend({
    features: [
      ...(extraFeatures ?? []),
      securityObservationsPlugin,
      permissionBackend,
      testPolicy,
      catalogPermissionsOf([payments, checkout]),
      authWithActors,
      permissionsServiceFactory,
      permissionsRegistryServiceFactory,
      mockServices.database.factory({ knex }),
      catalogServiceMock.factory({ entities: [payments, checkout] }),
      mockServices.rootConfig.factory({
        data: { permission: { enabled: true }, ...config },
      }),
    ],
  });
}
