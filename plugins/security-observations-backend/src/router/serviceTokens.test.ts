import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  CATALOG_ONLY_TOKEN,
  READER_TOKEN,
  SCANNER_TOKEN,
  SECURITY_BOT_TOKEN,
  startPluginBackend,
} from '../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const API = '/api/security-observations';
const entityRef = 'component:default/payments-api';
const trivyReport = fs.readFileSync(
  path.resolve(
    __dirname,
    '../ingest/parsers/__fixtures__/trivy/image-debian-v1.json',
  ),
  'utf8',
);
const ASSESS = 'security-observations.observation.assess';

/**
 * What a static token of backend.auth.externalAccess may do, through
 * Backstage's real auth and permissions services: a leaked CI token must
 * not be able to mark findings false positives.
 */
describe('static tokens of services', () => {
  const databases = createTestDatabases();

  async function setup(databaseId: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(databaseId);
    const { server } = await startPluginBackend({ knex });
    const as = (token: string) => ({
      get: (url: string) =>
        request(server)
          .get(`${API}${url}`)
          .set('Authorization', `Bearer ${token}`),
      post: (url: string, body: object) =>
        request(server)
          .post(`${API}${url}`)
          .set('Authorization', `Bearer ${token}`)
          .send(body),
      upload: () =>
        request(server)
          .post(`${API}/v1/imports`)
          .query({ entityRef })
          .set('Authorization', `Bearer ${token}`)
          .set('Content-Type', 'application/json')
          .send(trivyReport),
    });
    const firstObservation = async () =>
      knex('observations').orderBy('id').first('id', 'status');
    /** Audit entries and comments: a first import writes neither. */
    const writtenAbout = async (id: string) =>
      Promise.all(
        ['observation_events', 'observation_comments'].map(async table =>
          Number(
            (
              await knex(table).where({ observation_id: id }).count({ n: '*' })
            )[0].n,
          ),
        ),
      );
    return { knex, as, firstObservation, writtenAbout };
  }

  /** Every route that changes what was decided about an observation. */
  const assessingCalls = (id: string) =>
    [
      [
        `/v1/observations/${id}/assessments`,
        { status: 'false_positive', comment: 'leaked token' },
      ],
      [
        '/v1/assessments',
        {
          entityRef,
          observationIds: [id],
          status: 'false_positive',
          comment: 'leaked token',
        },
      ],
      [`/v1/observations/${id}/comments`, { comment: 'leaked token' }],
      [`/v1/entities/${encodeURIComponent(entityRef)}/sync`, {}],
    ] as const;

  it.each(databases.eachSupportedId())(
    'lets an upload-only scanner token upload and nothing else, on %s',
    async databaseId => {
      const { knex, as, firstObservation, writtenAbout } = await setup(
        databaseId,
      );
      const scanner = as(SCANNER_TOKEN);
      expect((await scanner.upload()).status).toBe(201);
      const { id } = await firstObservation();

      const read = await scanner.get(`/v1/observations/${id}`);
      expect(read.status).toBe(403);
      for (const [url, body] of assessingCalls(id)) {
        const res = await scanner.post(url, body);
        expect({ url, status: res.status }).toEqual({ url, status: 403 });
      }
      expect(await firstObservation()).toEqual({ id, status: 'open' });
      expect(await writtenAbout(id)).toEqual([0, 0]);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses assessments, comments and "Sync now" to a service token that was not granted the assess permission, and says how to grant it, on %s',
    async databaseId => {
      const { knex, as, firstObservation, writtenAbout } = await setup(
        databaseId,
      );
      // Unrestricted: Backstage would allow it every permission.
      const dashboards = as(READER_TOKEN);
      expect((await dashboards.upload()).status).toBe(201);
      const { id } = await firstObservation();
      expect((await dashboards.get(`/v1/observations/${id}`)).status).toBe(200);

      for (const [url, body] of assessingCalls(id)) {
        const res = await dashboards.post(url, body);
        expect({ url, status: res.status }).toEqual({ url, status: 403 });
        expect(res.body.error.message).toBe(
          `Not allowed: ${ASSESS} on ${entityRef}: dashboards is a service, and services may assess only when granted explicitly ` +
            `(list ${ASSESS} under accessRestrictions[].permission of its backend.auth.externalAccess entry). Assess as a signed-in user instead.`,
        );
      }
      expect(await firstObservation()).toEqual({ id, status: 'open' });
      expect(await writtenAbout(id)).toEqual([0, 0]);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'lets a service granted the assess permission assess, recorded as that service, on %s',
    async databaseId => {
      const { knex, as, firstObservation } = await setup(databaseId);
      expect((await as(SCANNER_TOKEN).upload()).status).toBe(201);
      const { id } = await firstObservation();
      const bot = as(SECURITY_BOT_TOKEN);

      const assessed = await bot.post(`/v1/observations/${id}/assessments`, {
        status: 'risk_accepted',
        comment: 'Accepted by the security team in ticket SEC-42',
      });
      expect(assessed.status).toBe(200);
      const events = await bot.get(`/v1/observations/${id}/events`);
      expect(
        events.body.items.map((e: any) => [e.type, e.actor, e.actorKind]),
      ).toEqual([
        ['created', 'ci-scanner', 'scanner'],
        ['assessed', 'security-bot', 'service'],
      ]);
      // Granted reading and assessing, not uploading.
      expect((await bot.upload()).status).toBe(403);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'lets a token restricted to this plugin’s uploads upload, and refuses one restricted to another plugin without storing anything, on %s',
    async databaseId => {
      const { knex, as } = await setup(databaseId);
      const stored = async () =>
        Promise.all(
          ['imports', 'observations', 'observation_events'].map(async table =>
            Number((await knex(table).count({ n: '*' }))[0].n),
          ),
        );

      // accessRestrictions: plugin security-observations, permission
      // security-observations.import.create.
      const uploaded = await as(SCANNER_TOKEN).upload();
      expect(uploaded.status).toBe(201);
      const [imports, observations] = await stored();
      expect(imports).toBe(1);
      expect(observations).toBe(uploaded.body.findings);
      const before = await stored();

      // accessRestrictions: plugin catalog.
      const refused = await as(CATALOG_ONLY_TOKEN).upload();
      expect(refused.status).toBe(403);
      expect(refused.body.error.name).toBe('NotAllowedError');
      expect(await stored()).toEqual(before);
      await knex.destroy();
    },
  );
});
