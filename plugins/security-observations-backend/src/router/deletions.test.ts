import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  ADMIN,
  checkoutRef,
  paymentsRef,
  startPermissionedBackend,
} from '../__testUtils__/startPermissionedBackend';
import {
  READER_TOKEN,
  SCANNER_TOKEN,
  startPluginBackend,
} from '../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const API = '/api/security-observations';
const DELETE = 'security-observations.observation.delete';
const admin = mockCredentials.user.header(ADMIN);
const alice = mockCredentials.user.header('user:default/alice');
const trivyReport = fs.readFileSync(
  path.resolve(
    __dirname,
    '../ingest/parsers/__fixtures__/trivy/image-debian-v1.json',
  ),
  'utf8',
);

describe('admin deletes of observations', () => {
  const databases = createTestDatabases();

  async function setup(
    databaseId: Parameters<typeof databases.init>[0],
    config: Record<string, unknown> = {},
  ) {
    const knex = await databases.init(databaseId);
    const auditor = mockServices.auditor.mock();
    const { server } = await startPermissionedBackend(knex, config, [
      auditor.factory,
    ]);
    const upload = async (entityRef = paymentsRef) => {
      const res = await request(server)
        .post(`${API}/v1/imports`)
        .query({ entityRef })
        .set('Authorization', mockCredentials.service.header())
        .set('Content-Type', 'application/json')
        .send(trivyReport);
      expect(res.status).toBe(201);
      return res.body;
    };
    const ids = async (entityRef = paymentsRef) =>
      (
        await knex('observations')
          .where({ entity_ref: entityRef })
          .orderBy('id')
          .select('id')
      ).map(row => row.id as string);
    const as = (header: string) => ({
      get: (url: string) =>
        request(server).get(`${API}${url}`).set('Authorization', header),
      post: (url: string, body: object) =>
        request(server)
          .post(`${API}${url}`)
          .set('Authorization', header)
          .send(body),
      delete: (url: string) =>
        request(server).delete(`${API}${url}`).set('Authorization', header),
    });
    return { knex, auditor, upload, ids, as };
  }

  it.each(databases.eachSupportedId())(
    'lets an admin delete an observation: gone from every read, its comments with it, the audit log and an audit event say who, and a later scan brings it back as new, on %s',
    async databaseId => {
      const { knex, auditor, upload, ids, as } = await setup(databaseId);
      const first = await upload();
      const [id, other] = await ids();
      expect(
        (
          await as(alice).post(`/v1/observations/${id}/comments`, {
            comment: 'Looking into it',
          })
        ).status,
      ).toBe(201);
      const summaryBefore = (
        await as(alice).get(
          `/v1/entities/${encodeURIComponent(paymentsRef)}/summary`,
        )
      ).body;

      // An owner may assess, not delete.
      const refused = await as(alice).delete(`/v1/observations/${id}`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe(
        `Not allowed: ${DELETE} on ${paymentsRef}`,
      );
      expect(await ids()).toContain(id);

      const deleted = await as(admin).delete(`/v1/observations/${id}`);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');

      expect((await as(alice).get(`/v1/observations/${id}`)).status).toBe(404);
      expect(
        (await as(alice).get(`/v1/observations/${id}/events`)).status,
      ).toBe(404);
      const listed = await as(alice).get(
        `/v1/observations?entityRef=${encodeURIComponent(
          paymentsRef,
        )}&limit=500`,
      );
      expect(listed.body.items.map((o: any) => o.id)).not.toContain(id);
      expect(listed.body.items.map((o: any) => o.id)).toContain(other);
      const summaryAfter = (
        await as(alice).get(
          `/v1/entities/${encodeURIComponent(paymentsRef)}/summary`,
        )
      ).body;
      expect(summaryAfter.total).toBe(summaryBefore.total - 1);
      expect(
        await knex('observation_comments').where({ observation_id: id }),
      ).toEqual([]);
      // The audit log is append-only: it keeps the observation's history.
      const history = await knex('observation_events')
        .where({ observation_id: id })
        .orderBy('id');
      expect(history.map(e => [e.type, e.actor, e.actor_kind])).toEqual([
        ['commented', 'user:default/alice', 'user'],
        ['deleted', ADMIN, 'user'],
      ]);
      expect(JSON.parse(history[1].changes)).toEqual({
        status: { from: 'open', to: null },
      });
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'observation-delete',
          meta: { entityRef: paymentsRef, observationIds: [id] },
        }),
      );
      expect((await as(admin).delete(`/v1/observations/${id}`)).status).toBe(
        404,
      );

      // The scanner still reports it: it is a new observation again.
      const again = await upload();
      expect(again.counts).toMatchObject({
        new: 1,
        unchanged: first.findings - 1,
        resolved: 0,
      });
      expect((await ids()).length).toBe(first.findings);
      expect(await ids()).not.toContain(id);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'deletes many observations of one entity all or none: an unknown id or another entity’s deletes nothing, on %s',
    async databaseId => {
      const { knex, upload, ids, as } = await setup(databaseId);
      await upload(paymentsRef);
      await upload(checkoutRef);
      const [a, b, c] = await ids(paymentsRef);
      const [foreign] = await ids(checkoutRef);
      const before = await knex('observations').count({ n: '*' });
      const unknown = '00000000-0000-4000-8000-000000000000';

      const missing = await as(admin).post('/v1/observation-deletions', {
        entityRef: paymentsRef,
        observationIds: [a, unknown],
      });
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toBe(`No observation ${unknown}`);

      const mixed = await as(admin).post('/v1/observation-deletions', {
        entityRef: paymentsRef,
        observationIds: [a, foreign],
      });
      expect(mixed.status).toBe(400);
      expect(mixed.body.error.message).toBe(
        `observationIds[1]: observation ${foreign} belongs to ${checkoutRef}, not ${paymentsRef}`,
      );

      const empty = await as(admin).post('/v1/observation-deletions', {
        entityRef: paymentsRef,
        observationIds: [],
      });
      expect(empty.status).toBe(400);
      expect(empty.body.error.message).toContain('observationIds');

      expect(await knex('observations').count({ n: '*' })).toEqual(before);
      expect(
        await knex('observation_events').where({ type: 'deleted' }),
      ).toEqual([]);

      const done = await as(admin).post('/v1/observation-deletions', {
        entityRef: paymentsRef,
        observationIds: [a, b],
      });
      expect(done.status).toBe(200);
      expect(done.body).toEqual({ deleted: 2, issuesToClose: 0 });
      expect(await ids(paymentsRef)).toEqual(
        expect.not.arrayContaining([a, b]),
      );
      expect(await ids(paymentsRef)).toContain(c);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'takes deleted observations out of pending four-eyes reviews, rejecting a review left with none, on %s',
    async databaseId => {
      const { knex, upload, ids, as } = await setup(databaseId, {
        securityObservations: { assessment: { requireApproval: true } },
      });
      await upload();
      const [a, b] = await ids();
      const review = await as(alice).post('/v1/assessments', {
        entityRef: paymentsRef,
        observationIds: [a, b],
        status: 'false_positive',
        comment: 'Test fixture only',
      });
      expect(review.status).toBe(202);

      await as(admin).delete(`/v1/observations/${a}`);
      const pending = await as(alice).get(
        `/v1/pending-assessments?entityRef=${encodeURIComponent(paymentsRef)}`,
      );
      expect(pending.body.items).toEqual([
        expect.objectContaining({ id: review.body.id, observationIds: [b] }),
      ]);

      await as(admin).delete(`/v1/observations/${b}`);
      const decided = await as(alice).get(
        `/v1/pending-assessments?entityRef=${encodeURIComponent(paymentsRef)}`,
      );
      expect(decided.body.items).toEqual([]);
      expect(
        await knex('pending_assessments')
          .where({ id: review.body.id })
          .first('state', 'decided_by', 'decision_comment'),
      ).toEqual({
        state: 'rejected',
        decided_by: ADMIN,
        decision_comment: 'Its observations were deleted',
      });
      await knex.destroy();
    },
  );
});

describe('deletes by services', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'refuses a scanner token and a service not granted the delete permission, saying how to grant it, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startPluginBackend({ knex });
      const uploaded = await request(server)
        .post(`${API}/v1/imports`)
        .query({ entityRef: paymentsRef })
        .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
        .set('Content-Type', 'application/json')
        .send(trivyReport);
      expect(uploaded.status).toBe(201);
      const { id } = await knex('observations').first('id');

      const scanner = await request(server)
        .delete(`${API}/v1/observations/${id}`)
        .set('Authorization', `Bearer ${SCANNER_TOKEN}`);
      expect(scanner.status).toBe(403);

      // Unrestricted: Backstage would allow it every permission.
      const dashboards = await request(server)
        .delete(`${API}/v1/observations/${id}`)
        .set('Authorization', `Bearer ${READER_TOKEN}`);
      expect(dashboards.status).toBe(403);
      expect(dashboards.body.error.message).toBe(
        `Not allowed: ${DELETE} on ${paymentsRef}: dashboards is a service, and services may delete observations only when granted explicitly ` +
          `(list ${DELETE} under accessRestrictions[].permission of its backend.auth.externalAccess entry). Delete observations as a signed-in user instead.`,
      );
      expect(await knex('observations').where({ id })).toHaveLength(1);
      await knex.destroy();
    },
  );
});
