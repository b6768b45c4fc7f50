import { mockCredentials } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  checkoutRef,
  paymentsRef,
  startPermissionedBackend,
} from '../__testUtils__/startPermissionedBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const API = '/api/security-observations';
const trivyReport = fs.readFileSync(
  path.resolve(
    __dirname,
    '../ingest/parsers/__fixtures__/trivy/image-debian-v1.json',
  ),
  'utf8',
);
const emptyTrivyReport = JSON.stringify({
  SchemaVersion: 2,
  ArtifactName: 'registry.example.com/payments/api:1.5.0',
  ArtifactType: 'container_image',
  Results: [],
});
const alice = mockCredentials.user.header('user:default/alice');
const bob = mockCredentials.user.header('user:default/bob');
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

describe('assessing observations', () => {
  const databases = createTestDatabases();

  async function setup(databaseId: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(databaseId);
    const { server } = await startPermissionedBackend(knex);
    const importReport = async (entityRef: string, report = trivyReport) => {
      const res = await request(server)
        .post(`${API}/v1/imports`)
        .query({ entityRef })
        .set('Authorization', mockCredentials.service.header())
        .set('Content-Type', 'application/json')
        .send(report);
      expect(res.status).toBe(201);
      return res.body;
    };
    const idsOf = async (entityRef: string) =>
      (
        await knex('observations')
          .where({ entity_ref: entityRef })
          .orderBy('id')
          .select('id')
      ).map(row => row.id as string);
    const observation = async (id: string) =>
      (
        await request(server)
          .get(`${API}/v1/observations/${id}`)
          .set('Authorization', alice)
      ).body;
    const events = async (id: string) =>
      (
        await request(server)
          .get(`${API}/v1/observations/${id}/events`)
          .set('Authorization', alice)
      ).body.items;
    const assess = (id: string, body: object, as = alice) =>
      request(server)
        .post(`${API}/v1/observations/${id}/assessments`)
        .set('Authorization', as)
        .send(body);
    return { knex, server, importReport, idsOf, observation, events, assess };
  }

  it.each(databases.eachSupportedId())(
    'lets an owner assess with a comment, refuses a non-owner with 403, and keeps the audit trail through re-imports, on %s',
    async databaseId => {
      const { knex, importReport, idsOf, observation, events, assess } =
        await setup(databaseId);
      await importReport(paymentsRef);
      const [id] = await idsOf(paymentsRef);
      const before = await observation(id);

      const denied = await assess(
        id,
        { status: 'false_positive', comment: 'Not reachable' },
        bob,
      );
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toBe(
        `Not allowed: security-observations.observation.assess on ${paymentsRef}`,
      );
      expect(await observation(id)).toEqual(before);

      const assessedSeverity = before.severity === 'low' ? 'none' : 'low';
      const allowed = await assess(id, {
        status: 'false_positive',
        severity: assessedSeverity,
        comment: 'The vulnerable parser is never called with untrusted input.',
      });
      expect(allowed.status).toBe(200);
      expect(allowed.body.items).toEqual([
        {
          observationId: id,
          changes: expect.objectContaining({
            status: { from: 'open', to: 'false_positive' },
            assessedStatus: { from: null, to: 'false_positive' },
            severity: { from: before.severity, to: assessedSeverity },
          }),
        },
      ]);
      expect(await observation(id)).toMatchObject({
        status: 'false_positive',
        assessedStatus: 'false_positive',
        severity: assessedSeverity,
        parserSeverity: before.parserSeverity,
      });

      // Re-import unchanged, then the finding disappears, then it returns.
      await importReport(paymentsRef);
      expect((await observation(id)).status).toBe('false_positive');
      await importReport(paymentsRef, emptyTrivyReport);
      expect((await observation(id)).status).toBe('resolved');
      await importReport(paymentsRef);
      expect(await observation(id)).toMatchObject({
        status: 'false_positive',
        severity: assessedSeverity,
      });

      const trail = await events(id);
      expect(trail.map((e: any) => [e.type, e.actor, e.actorKind])).toEqual([
        ['created', 'external:test-service', 'scanner'],
        ['assessed', 'user:default/alice', 'user'],
        ['resolved', 'external:test-service', 'scanner'],
        ['reopened', 'external:test-service', 'scanner'],
      ]);
      expect(trail[1].comment).toBe(
        'The vulnerable parser is never called with untrusted input.',
      );
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses bad assessments with a message that names the field, on %s',
    async databaseId => {
      const { knex, importReport, idsOf, events, assess } = await setup(
        databaseId,
      );
      await importReport(paymentsRef);
      const [id] = await idsOf(paymentsRef);

      const cases: Array<[object, string]> = [
        [{ status: 'wontfix', comment: 'x' }, 'at "status"'],
        [{ status: 'resolved', comment: 'x' }, 'at "status"'],
        [{ status: 'false_positive' }, 'at "comment"'],
        [
          { status: 'false_positive', comment: '   ' },
          'a comment is required at "comment"',
        ],
        [
          { status: 'not_affected', comment: 'x' },
          'a justification is required for not_affected',
        ],
        [
          {
            status: 'false_positive',
            comment: 'x',
            justification: 'code_not_reachable',
          },
          'a justification applies to not_affected only',
        ],
        [
          {
            status: 'risk_accepted',
            comment: 'x',
            expiresAt: '2020-01-01T00:00:00Z',
          },
          'the expiry must be in the future',
        ],
        [
          { status: 'open', comment: 'x', expiresAt: inAWeek() },
          'an expiry applies to risk_accepted only',
        ],
      ];
      for (const [body, message] of cases) {
        const res = await assess(id, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.error.message.toLowerCase()).toContain(
          message.toLowerCase(),
        );
      }
      expect(
        (await assess('no-such-id', { status: 'open', comment: 'x' })).status,
      ).toBe(404);
      expect((await events(id)).map((e: any) => e.type)).toEqual(['created']);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'assesses many observations of one entity at once, all or nothing, and records comments, on %s',
    async databaseId => {
      const { knex, server, importReport, idsOf, observation, events } =
        await setup(databaseId);
      await importReport(paymentsRef);
      await importReport(checkoutRef);
      const ids = await idsOf(paymentsRef);
      const [foreign] = await idsOf(checkoutRef);
      const expiresAt = inAWeek();
      const bulk = (body: object) =>
        request(server)
          .post(`${API}/v1/assessments`)
          .set('Authorization', alice)
          .send(body);

      const mixed = await bulk({
        entityRef: paymentsRef,
        observationIds: [ids[0], foreign],
        status: 'risk_accepted',
        comment: 'Accepted until the base image upgrade',
        expiresAt,
      });
      expect(mixed.status).toBe(400);
      expect(mixed.body.error.message).toBe(
        `observationIds[1]: observation ${foreign} belongs to ${checkoutRef}, not ${paymentsRef}`,
      );
      expect((await observation(ids[0])).status).toBe('open');

      const notOwner = await request(server)
        .post(`${API}/v1/assessments`)
        .set('Authorization', alice)
        .send({
          entityRef: checkoutRef,
          observationIds: [foreign],
          status: 'false_positive',
          comment: 'x',
        });
      expect(notOwner.status).toBe(403);

      const accepted = await bulk({
        entityRef: paymentsRef,
        observationIds: ids.slice(0, 2),
        status: 'risk_accepted',
        comment: 'Accepted until the base image upgrade',
        expiresAt,
      });
      expect(accepted.status).toBe(200);
      expect(
        accepted.body.items.map((item: any) => item.observationId),
      ).toEqual(ids.slice(0, 2));
      for (const id of ids.slice(0, 2)) {
        expect(await observation(id)).toMatchObject({
          status: 'risk_accepted',
          riskAcceptanceExpiresAt: expiresAt,
        });
      }
      expect((await observation(ids[2])).status).toBe('open');

      const comment = await request(server)
        .post(`${API}/v1/observations/${ids[2]}/comments`)
        .set('Authorization', alice)
        .send({ comment: 'Fix is in the next base image.' });
      expect(comment.status).toBe(201);
      expect(comment.body).toMatchObject({
        author: 'user:default/alice',
        origin: 'backstage',
        body: 'Fix is in the next base image.',
      });
      const trail = await events(ids[2]);
      expect(trail.at(-1)).toMatchObject({
        type: 'commented',
        actor: 'user:default/alice',
        comment: 'Fix is in the next base image.',
      });
      const bobComment = await request(server)
        .post(`${API}/v1/observations/${ids[2]}/comments`)
        .set('Authorization', mockCredentials.user.header('user:default/bob'))
        .send({ comment: 'drive-by' });
      expect(bobComment.status).toBe(403);

      const listed = await request(server)
        .get(`${API}/v1/observations/${ids[2]}/comments`)
        .set('Authorization', alice);
      expect(listed.status).toBe(200);
      expect(listed.body.items).toEqual([
        {
          id: comment.body.id,
          observationId: ids[2],
          author: 'user:default/alice',
          origin: 'backstage',
          body: 'Fix is in the next base image.',
          createdAt: comment.body.createdAt,
          url: null,
          updatedAt: null,
          // No tracker takes pushed comments here.
          push: null,
        },
      ]);
      await knex.destroy();
    },
  );
});
