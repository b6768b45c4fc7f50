import fs from 'node:fs';
import { Knex } from 'knex';
import request from 'supertest';
import { corpusDir } from '../__testUtils__/corpus';
import {
  contentTypeOf,
  examplesDir,
  fixturesDir,
  reportFilesIn,
  UNLIMITED_UPLOADS,
} from '../__testUtils__/reportFiles';
import {
  READER_TOKEN,
  SCANNER_TOKEN,
  SECURITY_BOT_TOKEN,
  startPluginBackend,
} from '../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { toIsoString } from '../database/dates';

jest.setTimeout(180_000);

const API = '/api/security-observations';
const entityRef = 'component:default/payments-api';

/**
 * The reports of every format: the parser fixtures, the example reports and
 * the shared corpus when it is there.
 */
const reportFiles = [
  ...reportFilesIn('fixtures', fixturesDir),
  ...reportFilesIn('examples', examplesDir),
  ...reportFilesIn('corpus', corpusDir),
];

const allUnchanged = (findings: number) => ({
  new: 0,
  updated: 0,
  unchanged: findings,
  resolved: 0,
  reopened: 0,
});

const counts = (some: Partial<ReturnType<typeof allUnchanged>>) => ({
  new: 0,
  updated: 0,
  unchanged: 0,
  resolved: 0,
  reopened: 0,
  ...some,
});

/** Everything stored for a scope: its rows, whole, and the audit log. */
async function storedScope(knex: Knex, source: string) {
  const rows = await knex('observations')
    .where({ entity_ref: entityRef, source })
    .orderBy('id')
    .select('*');
  const events = await knex('observation_events')
    .whereIn(
      'observation_id',
      rows.map(row => row.id),
    )
    .orderBy('id')
    .select('*');
  return { rows, events };
}

async function importedAt(knex: Knex, importId: string): Promise<string> {
  const row = await knex('imports').where({ id: importId }).first('created_at');
  return toIsoString(row.created_at);
}

type VexState =
  | 'resolved'
  | 'resolved_with_pedigree'
  | 'exploitable'
  | 'in_triage'
  | 'false_positive'
  | 'not_affected';

interface VexStatement {
  id: string;
  /** No `analysis` at all when undefined. */
  state?: VexState;
}

const LOG4J = {
  group: 'org.apache.logging.log4j',
  name: 'log4j-core',
  version: '2.14.1',
  purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
};

const analysisDetail = (state: VexState) =>
  state === 'not_affected'
    ? 'The JndiLookup class is removed from the classpath.'
    : `Vendor analysis: ${state.replace(/_/g, ' ')}.`;

/** A CycloneDX 1.6 VEX document, as a vendor publishes one (JSON). */
function vexJson(statements: VexStatement[]) {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    metadata: { timestamp: '2026-11-30T09:00:00Z' },
    components: [{ 'bom-ref': LOG4J.purl, type: 'library', ...LOG4J }],
    vulnerabilities: statements.map(({ id, state }) => ({
      id,
      source: { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` },
      ratings: [
        {
          source: { name: 'NVD' },
          score: 9.0,
          severity: 'critical',
          method: 'CVSSv31',
          vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H',
        },
      ],
      cwes: [502],
      description: `Apache Log4j2 JNDI features (${id}).`,
      affects: [{ ref: LOG4J.purl }],
      ...(state
        ? {
            analysis: {
              state,
              ...(state === 'not_affected'
                ? { justification: 'code_not_reachable' }
                : {}),
              ...(state === 'resolved' ? { response: ['update'] } : {}),
              detail: analysisDetail(state),
            },
          }
        : {}),
    })),
  };
}

/** The same VEX document in CycloneDX XML. */
function vexXml(statements: VexStatement[]): string {
  const vulnerabilities = statements.map(
    ({ id, state }) => `
    <vulnerability bom-ref="${id}">
      <id>${id}</id>
      <source><name>NVD</name><url>https://nvd.nist.gov/vuln/detail/${id}</url></source>
      <ratings>
        <rating>
          <source><name>NVD</name></source>
          <score>9.0</score>
          <severity>critical</severity>
          <method>CVSSv31</method>
          <vector>CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H</vector>
        </rating>
      </ratings>
      <cwes><cwe>502</cwe></cwes>
      <description>Apache Log4j2 JNDI features (${id}).</description>${
      state
        ? `
      <analysis>
        <state>${state}</state>${
            state === 'not_affected'
              ? '\n        <justification>code_not_reachable</justification>'
              : ''
          }${
            state === 'resolved'
              ? '\n        <responses><response>update</response></responses>'
              : ''
          }
        <detail>${analysisDetail(state)}</detail>
      </analysis>`
        : ''
    }
      <affects><target><ref>${LOG4J.purl}</ref></target></affects>
    </vulnerability>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
  <metadata><timestamp>2026-11-30T09:00:00Z</timestamp></metadata>
  <components>
    <component type="library" bom-ref="${LOG4J.purl}">
      <group>${LOG4J.group}</group>
      <name>${LOG4J.name}</name>
      <version>${LOG4J.version}</version>
      <purl>${LOG4J.purl}</purl>
    </component>
  </components>
  <vulnerabilities>${vulnerabilities.join('')}
  </vulnerabilities>
</bom>
`;
}

/** Every VEX state, and none, with the status each stands for. */
const VEX_STATES: Array<[VexState | undefined, string, string]> = [
  ['resolved', 'CVE-2021-44228', 'resolved'],
  ['resolved_with_pedigree', 'CVE-2021-45046', 'resolved'],
  ['exploitable', 'CVE-2021-45105', 'open'],
  ['in_triage', 'CVE-2021-44832', 'in_review'],
  ['false_positive', 'CVE-2022-23302', 'false_positive'],
  ['not_affected', 'CVE-2022-23305', 'not_affected'],
  [undefined, 'CVE-2022-23307', 'open'],
];

describe('an identical re-import changes nothing and writes nothing', () => {
  const databases = createTestDatabases();

  async function start(databaseId: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(databaseId);
    const { server } = await startPluginBackend({
      knex,
      config: UNLIMITED_UPLOADS,
    });
    const post = (
      source: string,
      body: string | Buffer | object,
      contentType = 'application/json',
    ) =>
      request(server)
        .post(`${API}/v1/imports`)
        .query({ entityRef, source })
        .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
        .set('Content-Type', contentType)
        .serialize((value: unknown) =>
          typeof value === 'string' || Buffer.isBuffer(value)
            ? (value as string)
            : JSON.stringify(value),
        )
        .send(body as object);
    const read = (url: string) =>
      request(server)
        .get(`${API}${url}`)
        .set('Authorization', `Bearer ${READER_TOKEN}`);
    return { knex, post, read, server };
  }

  it.each(databases.eachSupportedId())(
    'for every report of every format, on %s',
    async databaseId => {
      const { knex, post, read } = await start(databaseId);
      const formats = new Set<string>();
      for (const [name, file] of reportFiles) {
        // One scope per file, so files do not resolve each other.
        const source = name;
        const body = fs.readFileSync(file);
        const first = await post(source, body, contentTypeOf(file));
        expect({ name, status: first.status }).toEqual({ name, status: 201 });
        formats.add(
          `${first.body.format}${file.endsWith('.xml') ? ' xml' : ''}`,
        );
        const before = await storedScope(knex, source);

        const second = await post(source, body, contentTypeOf(file));
        expect({ name, counts: second.body.counts }).toEqual({
          name,
          counts: allUnchanged(first.body.findings),
        });
        expect({ name, unassessed: second.body.unassessed }).toEqual({
          name,
          unassessed: {
            all: first.body.unassessed.all,
            new: Object.fromEntries(
              Object.keys(first.body.unassessed.new).map(key => [key, 0]),
            ),
          },
        });
        // Not one row or audit entry written.
        expect({ name, ...(await storedScope(knex, source)) }).toEqual({
          name,
          ...before,
        });

        // Yet each was seen by the second import (one read per report).
        const secondAt = await importedAt(knex, second.body.importId);
        for (const row of before.rows.slice(0, 1)) {
          const observation = await read(`/v1/observations/${row.id}`);
          expect({ name, lastSeenAt: observation.body.lastSeenAt }).toEqual({
            name,
            lastSeenAt: secondAt,
          });
        }
      }
      expect([...formats].sort()).toEqual([
        'cyclonedx',
        'cyclonedx xml',
        'gitleaks',
        'grype',
        'osv',
        'sarif',
        'semgrep',
        'trivy',
      ]);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'for every CycloneDX VEX analysis.state, JSON and XML, on %s',
    async databaseId => {
      const { knex, post, read } = await start(databaseId);
      const statements = VEX_STATES.map(([state, id]) => ({ id, state }));
      const shapes: Array<[string, string | object, string]> = [
        ['vex.json', vexJson(statements), 'application/json'],
        ['vex.xml', vexXml(statements), 'application/vnd.cyclonedx+xml'],
      ];
      for (const [source, body, contentType] of shapes) {
        const first = await post(source, body, contentType);
        expect(first.status).toBe(201);
        expect(first.body.counts).toEqual(counts({ new: VEX_STATES.length }));
        // Two open ones: exploitable, and no analysis at all.
        expect(first.body.unassessed.new).toMatchObject({ critical: 2 });
        const firstAt = await importedAt(knex, first.body.importId);
        const before = await storedScope(knex, source);

        const statusById = Object.fromEntries(
          before.rows.map(row => [JSON.parse(row.vulnerability_ids)[0], row]),
        );
        for (const [state, id, status] of VEX_STATES) {
          const observation = (
            await read(`/v1/observations/${statusById[id].id}`)
          ).body;
          expect({ source, state, status: observation.status }).toEqual({
            source,
            state,
            status,
          });
          expect({ source, state, resolvedAt: observation.resolvedAt }).toEqual(
            {
              source,
              state,
              resolvedAt: status === 'resolved' ? firstAt : null,
            },
          );
        }

        for (let again = 0; again < 2; again++) {
          const next = await post(source, body, contentType);
          expect({ source, counts: next.body.counts }).toEqual({
            source,
            counts: allUnchanged(VEX_STATES.length),
          });
          expect(next.body.unassessed.new).toMatchObject({ critical: 0 });
          expect({ source, ...(await storedScope(knex, source)) }).toEqual({
            source,
            ...before,
          });
        }
      }
      await knex.destroy();
    },
  );
});

describe('what a VEX statement does to an observation', () => {
  const databases = createTestDatabases();

  /**
   * A scope in which one vulnerability goes through the given statements
   * (`gone`: the next report does not list it). Each step's answer and the
   * observation afterwards.
   */
  async function lifecycle(databaseId: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(databaseId);
    const { server } = await startPluginBackend({
      knex,
      config: UNLIMITED_UPLOADS,
    });
    let scopes = 0;
    const run = async (steps: Array<VexState | 'gone' | 'no analysis'>) => {
      scopes += 1;
      const source = `vendor-vex-${scopes}`;
      const id = 'CVE-2021-44228';
      // Another vulnerability stays, so the report is never empty.
      const other = { id: 'CVE-2021-45105', state: 'exploitable' as const };
      const answers = [];
      for (const step of steps) {
        const statements: VexStatement[] =
          step === 'gone'
            ? [other]
            : [{ id, state: step === 'no analysis' ? undefined : step }, other];
        const response = await request(server)
          .post(`${API}/v1/imports`)
          .query({ entityRef, source })
          .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
          .send(vexJson(statements));
        expect(response.status).toBe(201);
        answers.push({
          ...response.body,
          at: await importedAt(knex, response.body.importId),
        });
      }
      const row = await knex('observations')
        .where({ entity_ref: entityRef, source })
        .where('vulnerability_ids', 'like', `%${id}%`)
        .first('id');
      const read = (url: string) =>
        request(server)
          .get(`${API}${url}`)
          .set('Authorization', `Bearer ${READER_TOKEN}`);
      const observation = (await read(`/v1/observations/${row.id}`)).body;
      const events = (await read(`/v1/observations/${row.id}/events`)).body
        .items;
      return { answers, observation, events, source, id: row.id };
    };
    return { knex, server, run };
  }

  const eventsOf = (events: any[]) =>
    events.map(event => [event.type, event.changes.status, event.comment]);

  it.each(databases.eachSupportedId())(
    'stated resolved: resolved, and kept resolved while the vendor says so, on %s',
    async databaseId => {
      const { knex, run } = await lifecycle(databaseId);

      // Open, then the vendor ships the fix.
      const fixed = await run(['exploitable', 'resolved', 'resolved']);
      expect(fixed.answers.map(answer => answer.counts)).toEqual([
        counts({ new: 2 }),
        counts({ unchanged: 1, resolved: 1 }),
        counts({ unchanged: 2 }),
      ]);
      expect(fixed.observation).toMatchObject({
        status: 'resolved',
        parserStatus: 'resolved',
        resolvedAt: fixed.answers[1].at,
        lastSeenAt: fixed.answers[2].at,
      });
      expect(eventsOf(fixed.events)).toEqual([
        ['created', { to: 'open' }, 'First found in a scan'],
        [
          'resolved',
          { from: 'open', to: 'resolved' },
          'Stated resolved in the latest scan',
        ],
      ]);

      // resolved_with_pedigree is resolved too: a new analysis text
      // updates the description, and it stays resolved since the first.
      const pedigree = await run(['resolved', 'resolved_with_pedigree']);
      expect(pedigree.answers[1].counts).toEqual(
        counts({ unchanged: 1, updated: 1 }),
      );
      expect(pedigree.observation).toMatchObject({
        status: 'resolved',
        resolvedAt: pedigree.answers[0].at,
      });

      // From any other statement too.
      for (const from of [
        'in_triage',
        'false_positive',
        'not_affected',
        'no analysis',
      ] as const) {
        const { answers, observation } = await run([from, 'resolved']);
        expect({ from, counts: answers[1].counts }).toEqual({
          from,
          counts: counts({ unchanged: 1, resolved: 1 }),
        });
        expect({ from, status: observation.status }).toEqual({
          from,
          status: 'resolved',
        });
      }
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'stated otherwise after resolved: reopened, and a new finding for the CI gate, on %s',
    async databaseId => {
      const { knex, run } = await lifecycle(databaseId);

      const regressed = await run(['resolved', 'exploitable', 'exploitable']);
      expect(regressed.answers.map(answer => answer.counts)).toEqual([
        counts({ new: 2 }),
        counts({ unchanged: 1, reopened: 1 }),
        counts({ unchanged: 2 }),
      ]);
      expect(regressed.answers[1].unassessed.new).toMatchObject({
        critical: 1,
      });
      expect(regressed.observation).toMatchObject({
        status: 'open',
        resolvedAt: null,
      });
      expect(eventsOf(regressed.events)).toEqual([
        ['created', { to: 'resolved' }, 'First found in a scan'],
        [
          'reopened',
          { from: 'resolved', to: 'open' },
          'No longer stated resolved in the latest scan',
        ],
      ]);

      for (const [to, status] of [
        ['in_triage', 'in_review'],
        ['not_affected', 'not_affected'],
        ['false_positive', 'false_positive'],
        ['no analysis', 'open'],
      ] as const) {
        const { answers, observation } = await run(['resolved', to]);
        expect({ to, counts: answers[1].counts }).toEqual({
          to,
          counts: counts({ unchanged: 1, reopened: 1 }),
        });
        expect({ to, status: observation.status }).toEqual({ to, status });
      }
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'gone from the report and back, on %s',
    async databaseId => {
      const { knex, server, run } = await lifecycle(databaseId);

      // Stated resolved, then not listed: it was resolved already, so
      // nothing is resolved again; listed resolved again: unchanged.
      const quiet = await run(['resolved', 'gone', 'resolved']);
      expect(quiet.answers.map(answer => answer.counts)).toEqual([
        counts({ new: 2 }),
        counts({ unchanged: 1 }),
        counts({ unchanged: 2 }),
      ]);
      expect(quiet.observation).toMatchObject({
        status: 'resolved',
        resolvedAt: quiet.answers[0].at,
        lastSeenAt: quiet.answers[2].at,
      });
      expect(eventsOf(quiet.events)).toEqual([
        ['created', { to: 'resolved' }, 'First found in a scan'],
      ]);

      // While it is gone, it was last seen by the import before.
      const away = await run(['resolved', 'gone', 'gone']);
      expect(away.observation.lastSeenAt).toBe(away.answers[0].at);
      const list = await request(server)
        .get(`${API}/v1/observations`)
        .query({ entityRef, sort: '-lastSeenAt', limit: 500 })
        .set('Authorization', `Bearer ${READER_TOKEN}`);
      const inScope = list.body.items.filter(
        (item: { source: string }) => item.source === away.source,
      );
      expect(
        inScope.map((item: { id: string; lastSeenAt: string }) => [
          item.id === away.id ? 'gone' : 'listed',
          item.lastSeenAt,
        ]),
      ).toEqual([
        ['listed', away.answers[2].at],
        ['gone', away.answers[0].at],
      ]);

      // Open, not found, then stated resolved: resolved all along, since
      // the scan that did not find it.
      const settled = await run(['exploitable', 'gone', 'resolved']);
      expect(settled.answers.map(answer => answer.counts)).toEqual([
        counts({ new: 2 }),
        counts({ unchanged: 1, resolved: 1 }),
        counts({ unchanged: 1, updated: 1 }),
      ]);
      expect(settled.observation).toMatchObject({
        status: 'resolved',
        resolvedAt: settled.answers[1].at,
        lastSeenAt: settled.answers[2].at,
      });

      // Open, not found, found again: reopened.
      const back = await run(['exploitable', 'gone', 'exploitable']);
      expect(back.answers[2].counts).toEqual(
        counts({ unchanged: 1, reopened: 1 }),
      );
      expect(eventsOf(back.events).slice(1)).toEqual([
        [
          'resolved',
          { from: 'open', to: 'resolved' },
          'Not found in the latest scan',
        ],
        [
          'reopened',
          { from: 'resolved', to: 'open' },
          'Found again in the latest scan',
        ],
      ]);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps an assessment through a resolved statement and back, on %s',
    async databaseId => {
      const { knex, server, run } = await lifecycle(databaseId);
      const { id, source } = await run(['exploitable']);
      const assessed = await request(server)
        .post(`${API}/v1/observations/${id}/assessments`)
        .set('Authorization', `Bearer ${SECURITY_BOT_TOKEN}`)
        .send({
          status: 'risk_accepted',
          comment: 'Only reachable from the admin network',
        });
      expect(assessed.status).toBe(200);

      const post = (state: VexState) =>
        request(server)
          .post(`${API}/v1/imports`)
          .query({ entityRef, source })
          .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
          .send(
            vexJson([
              { id: 'CVE-2021-44228', state },
              { id: 'CVE-2021-45105', state: 'exploitable' },
            ]),
          );
      const status = async () =>
        (
          await request(server)
            .get(`${API}/v1/observations/${id}`)
            .set('Authorization', `Bearer ${READER_TOKEN}`)
        ).body.status;

      expect((await post('resolved')).body.counts.resolved).toBe(1);
      expect(await status()).toBe('resolved');
      const reopened = await post('exploitable');
      expect(reopened.body.counts.reopened).toBe(1);
      // Decided: not a new finding for the CI gate.
      expect(reopened.body.unassessed.new).toMatchObject({ critical: 0 });
      expect(await status()).toBe('risk_accepted');
      await knex.destroy();
    },
  );
});
