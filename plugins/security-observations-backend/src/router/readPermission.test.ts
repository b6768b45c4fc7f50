import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import {
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  observationAssessPermission,
  observationDeletePermission,
  observationReadPermission,
} from 'backstage-plugin-security-observations-common';
import { Knex } from 'knex';
import { setupServer } from 'msw/node';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  authWithActors,
  catalogPermissionsOf,
} from '../__testUtils__/startPermissionedBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { securityObservationsPlugin } from '../plugin';
import { FakeGitHub } from '../sync/trackers/__testUtils__/fakeGitHub';

jest.setTimeout(120_000);

/*
 * The guarantee: whoever may not read an entity's observations learns
 * nothing of them from any route, list, summary, history, review or
 * notification. The policy is one an organization would write: the
 * observations of entities labelled restricted are for their owners only,
 * everyone reads the others; owners assess, and the AppSec team assesses
 * everywhere (a policy slip: it forgot to let them read the restricted ones).
 */

const API = '/api/security-observations';
const RESTRICTED_LABEL = 'acme.example/data-classification';

/** Restricted; owned by alice and carol; its GitHub repository refuses issues. */
const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    labels: { [RESTRICTED_LABEL]: 'restricted' },
    annotations: { 'github.com/project-slug': 'acme-corp/payments-api' },
  },
  spec: { type: 'service', owner: 'user:default/alice' },
  relations: [
    { type: 'ownedBy', targetRef: 'user:default/alice' },
    { type: 'ownedBy', targetRef: 'user:default/carol' },
  ],
};
const paymentsRef = stringifyEntityRef(payments);

/** Readable by everyone; owned by bob. */
const checkout: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout-web',
    namespace: 'default',
    annotations: { 'github.com/project-slug': 'acme-corp/checkout-web' },
  },
  spec: { type: 'website', owner: 'user:default/bob' },
  relations: [{ type: 'ownedBy', targetRef: 'user:default/bob' }],
};
const checkoutRef = stringifyEntityRef(checkout);

const alice = mockCredentials.user.header('user:default/alice');
const carol = mockCredentials.user.header('user:default/carol');
/** Owns checkout-web only. */
const bob = mockCredentials.user.header('user:default/bob');
/** AppSec: may assess and delete everything, may not read restricted entities. */
const erin = mockCredentials.user.header('user:default/erin');

const restrictedReadPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'restricted-read-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(req, user) {
            const isOwner = {
              rule: 'IS_ENTITY_OWNER',
              resourceType: 'catalog-entity',
              params: { claims: user?.info.ownershipEntityRefs ?? [] },
            };
            if (isPermission(req.permission, observationReadPermission)) {
              return {
                result: AuthorizeResult.CONDITIONAL,
                pluginId: 'catalog',
                resourceType: 'catalog-entity',
                conditions: {
                  anyOf: [
                    isOwner,
                    {
                      not: {
                        rule: 'HAS_LABEL',
                        resourceType: 'catalog-entity',
                        params: { label: RESTRICTED_LABEL },
                      },
                    },
                  ],
                },
              };
            }
            if (isPermission(req.permission, observationDeletePermission)) {
              return {
                result:
                  user?.info.userEntityRef === 'user:default/erin'
                    ? AuthorizeResult.ALLOW
                    : AuthorizeResult.DENY,
              };
            }
            if (isPermission(req.permission, observationAssessPermission)) {
              if (user?.info.userEntityRef === 'user:default/erin') {
                return { result: AuthorizeResult.ALLOW };
              }
              return {
                result: AuthorizeResult.CONDITIONAL,
                pluginId: 'catalog',
                resourceType: 'catalog-entity',
                conditions: isOwner,
              };
            }
            return { result: AuthorizeResult.DENY };
          },
        });
      },
    });
  },
});

/** The notifications the plugin sends, as the notifications backend gets them. */
function capturingNotifications(sent: NotificationSendOptions[]) {
  return createServiceFactory({
    service: notificationService,
    deps: {},
    factory: () => ({
      send: async (notification: NotificationSendOptions) => {
        sent.push(notification);
      },
    }),
  });
}

async function startBackend(knex: Knex, sent: NotificationSendOptions[]) {
  return startTestBackend({
    features: [
      securityObservationsPlugin,
      permissionBackend,
      restrictedReadPolicy,
      catalogPermissionsOf([payments, checkout]),
      authWithActors,
      permissionsServiceFactory,
      permissionsRegistryServiceFactory,
      capturingNotifications(sent),
      mockServices.database.factory({ knex }),
      catalogServiceMock.factory({ entities: [payments, checkout] }),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          app: { baseUrl: 'https://backstage.acme.example' },
          integrations: {
            github: [{ host: 'github.com', token: 'ghp_test_token' }],
          },
          securityObservations: {
            assessment: { requireApproval: true },
            trackers: [{ id: 'github', type: 'github', host: 'github.com' }],
          },
        },
      }),
    ],
  });
}

const fixture = (relative: string) =>
  fs.readFileSync(
    path.resolve(__dirname, '../ingest/parsers/__fixtures__', relative),
    'utf8',
  );

describe('the read permission', () => {
  const databases = createTestDatabases();
  const msw = setupServer();
  let github: FakeGitHub;

  beforeAll(() =>
    msw.listen({
      // The test's own calls to the backend pass; any other host is a bug.
      onUnhandledRequest: (req, print) => {
        const { hostname } = new URL(req.url);
        if (hostname !== 'localhost' && hostname !== '127.0.0.1') {
          print.error();
        }
      },
    }),
  );
  beforeEach(() => {
    github = new FakeGitHub();
    // Payments' repository is not there: its sync fails, and its owners hear of it.
    github.addRepo('acme-corp/checkout-web');
    msw.resetHandlers(...github.handlers);
  });
  afterAll(() => msw.close());

  it.each(databases.eachSupportedId())(
    'keeps every trace of a restricted entity’s observations from those who may not read them, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const notifications: NotificationSendOptions[] = [];
      const { server } = await startBackend(knex, notifications);
      const as = (header: string) => ({
        get: (url: string) =>
          request(server).get(`${API}${url}`).set('Authorization', header),
        post: (url: string, body: object = {}) =>
          request(server)
            .post(`${API}${url}`)
            .set('Authorization', header)
            .send(body),
        delete: (url: string) =>
          request(server).delete(`${API}${url}`).set('Authorization', header),
      });
      const entityPath = (ref: string) =>
        `/v1/entities/${encodeURIComponent(ref)}`;

      for (const [entityRef, report] of [
        [paymentsRef, 'trivy/image-debian-v1.json'],
        [checkoutRef, 'grype/directory-python.json'],
      ]) {
        const imported = await request(server)
          .post(`${API}/v1/imports`)
          .query({ entityRef })
          .set('Authorization', mockCredentials.service.header())
          .set('Content-Type', 'application/json')
          .send(fixture(report));
        expect(imported.status).toBe(201);
      }
      const observationsOf = async (entityRef: string) =>
        knex('observations')
          .where({ entity_ref: entityRef })
          .orderBy('id')
          .select('id', 'title');
      const paymentsRows = await observationsOf(paymentsRef);
      const checkoutRows = await observationsOf(checkoutRef);
      const [paymentsId] = paymentsRows.map(row => row.id as string);
      const [checkoutId] = checkoutRows.map(row => row.id as string);

      // The owners work on their observations: a comment, a review request,
      // "Sync now" (payments' repository refuses: its owners are told).
      const paymentsComment =
        'Tokenization service calls this parser; patched image due Friday';
      expect(
        (
          await as(alice).post(`/v1/observations/${paymentsId}/comments`, {
            comment: paymentsComment,
          })
        ).status,
      ).toBe(201);
      const paymentsPending = await as(alice).post(
        `/v1/observations/${paymentsId}/assessments`,
        { status: 'false_positive', comment: 'Only in the build stage' },
      );
      expect(paymentsPending.status).toBe(202);
      const checkoutPending = await as(bob).post(
        `/v1/observations/${checkoutId}/assessments`,
        { status: 'not_security', comment: 'A test dependency' },
      );
      expect(checkoutPending.status).toBe(202);
      expect(
        (await as(alice).post(`${entityPath(paymentsRef)}/sync`)).status,
      ).toBe(202);
      expect(
        (await as(bob).post(`${entityPath(checkoutRef)}/sync`)).status,
      ).toBe(202);
      expect(github.issues('acme-corp/checkout-web')).not.toHaveLength(0);

      // What a reader of payments sees, and nobody else may.
      const checkoutTitles = new Set(checkoutRows.map(row => row.title));
      const paymentsTraces = [
        ...paymentsRows.map(row => row.id as string),
        ...paymentsRows
          .map(row => row.title as string)
          .filter(title => !checkoutTitles.has(title)),
        paymentsPending.body.id,
        paymentsComment,
        'Only in the build stage',
        'acme-corp/payments-api',
      ];
      expect(paymentsTraces.length).toBeGreaterThan(paymentsRows.length);
      const expectNoTrace = (what: string, body: Record<string, unknown>) => {
        // An error answer echoes the caller's own request (method and URL).
        const { request: _echo, ...answer } = body;
        const text = JSON.stringify(answer);
        const seen = paymentsTraces.filter(trace => text.includes(trace));
        expect({ what, seen }).toEqual({ what, seen: [] });
      };

      // Alice, an owner, reads it all (the traces are there to be found).
      const byOwner = await as(alice).get(
        `/v1/observations?entityRef=${encodeURIComponent(
          paymentsRef,
        )}&limit=500`,
      );
      expect(byOwner.body.items).toHaveLength(paymentsRows.length);
      expect(
        (await as(alice).get(`/v1/observations/${paymentsId}/comments`)).body
          .items,
      ).toEqual([expect.objectContaining({ body: paymentsComment })]);

      // Every reading route of src/router, for payments and by payments' ids.
      const readingRoutes = [
        `/v1/observations?entityRef=${encodeURIComponent(paymentsRef)}`,
        `/v1/observations/${paymentsId}`,
        `/v1/observations/${paymentsId}/events`,
        `/v1/observations/${paymentsId}/comments`,
        `${entityPath(paymentsRef)}/summary`,
        `${entityPath(paymentsRef)}/trend?days=30`,
        `/v1/pending-assessments?entityRef=${encodeURIComponent(paymentsRef)}`,
        `${entityPath(paymentsRef)}/reconcile?dryRun=true`,
      ];
      // The routes that change something and answer with observations.
      const changingRoutes: Array<[string, object]> = [
        [
          `/v1/observations/${paymentsId}/assessments`,
          { status: 'in_review', comment: 'Looking into it' },
        ],
        [
          '/v1/assessments',
          {
            entityRef: paymentsRef,
            observationIds: [paymentsId],
            status: 'in_review',
            comment: 'Looking into it',
          },
        ],
        [`/v1/observations/${paymentsId}/comments`, { comment: 'Any news?' }],
        [`/v1/pending-assessments/${paymentsPending.body.id}/approve`, {}],
        [`/v1/pending-assessments/${paymentsPending.body.id}/reject`, {}],
        [`${entityPath(paymentsRef)}/sync`, {}],
        [`${entityPath(paymentsRef)}/reconcile`, {}],
        [
          '/v1/observation-deletions',
          { entityRef: paymentsRef, observationIds: [paymentsId] },
        ],
      ];
      const changesBefore = await knex('observation_events').count({
        n: '*',
      });

      // Bob may not read payments; Erin may assess it but not read it.
      for (const [name, header] of [
        ['bob', bob],
        ['erin', erin],
      ]) {
        for (const route of readingRoutes) {
          const res = await as(header).get(route);
          expect({ name, route, status: res.status }).toEqual({
            name,
            route,
            status: 403,
          });
          expectNoTrace(`${name} GET ${route}`, res.body);
        }
        for (const [route, body] of changingRoutes) {
          const res = await as(header).post(route, body);
          expect({ name, route, status: res.status }).toEqual({
            name,
            route,
            status: 403,
          });
          expectNoTrace(`${name} POST ${route}`, res.body);
        }
        const deleted = await as(header).delete(
          `/v1/observations/${paymentsId}`,
        );
        expect({ name, status: deleted.status }).toEqual({ name, status: 403 });
        expectNoTrace(`${name} DELETE`, deleted.body);

        // What they may read holds checkout's observations, and only those.
        const list = await as(header).get(
          `/v1/observations?entityRef=${encodeURIComponent(
            checkoutRef,
          )}&limit=500`,
        );
        expect(list.status).toBe(200);
        expect(
          list.body.items.map((item: { id: string }) => item.id).sort(),
        ).toEqual(checkoutRows.map(row => row.id).sort());
        expectNoTrace(`${name} checkout list`, list.body);
        const summary = await as(header).get(
          `${entityPath(checkoutRef)}/summary`,
        );
        expect(summary.body.total).toBe(checkoutRows.length);
        expectNoTrace(`${name} checkout summary`, summary.body);
        const trend = await as(header).get(
          `${entityPath(checkoutRef)}/trend?days=30`,
        );
        const activeToday = Object.values(
          trend.body.points.at(-1).activeBySeverity as Record<string, number>,
        ).reduce((sum, n) => sum + n, 0);
        expect(activeToday).toBe(summary.body.totalActive);
        const pending = await as(header).get(
          `/v1/pending-assessments?entityRef=${encodeURIComponent(
            checkoutRef,
          )}`,
        );
        expect(
          pending.body.items.map((item: { id: string }) => item.id),
        ).toEqual([checkoutPending.body.id]);
        for (const route of [
          `/v1/observations/${checkoutId}`,
          `/v1/observations/${checkoutId}/events`,
          `/v1/observations/${checkoutId}/comments`,
        ]) {
          const res = await as(header).get(route);
          expect({ route, status: res.status }).toEqual({ route, status: 200 });
          expectNoTrace(`${name} GET ${route}`, res.body);
        }
        expectNoTrace(`${name} health`, (await as(header).get('/health')).body);
      }
      // The refused calls changed nothing.
      expect(await knex('observation_events').count({ n: '*' })).toEqual(
        changesBefore,
      );
      expect(
        (
          await as(carol).get(
            `/v1/pending-assessments?entityRef=${encodeURIComponent(
              paymentsRef,
            )}`,
          )
        ).body.items.map((item: { state: string }) => item.state),
      ).toEqual(['pending']);

      // Notifications go to the failing entity's owners, never to everyone,
      // and say what to fix without naming the findings.
      expect(notifications.length).toBeGreaterThan(0);
      for (const notification of notifications) {
        expect(notification.recipients).toEqual({
          type: 'entity',
          entityRef: paymentsRef,
        });
      }
      const told = JSON.stringify(notifications.map(n => n.payload));
      const titles = paymentsRows.map(row => row.title as string);
      expect(titles.filter(title => told.includes(title))).toEqual([]);
      await knex.destroy();
    },
  );
});
