import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Knex } from 'knex';
import request from 'supertest';
import {
  SCANNER_TOKEN,
  startPluginBackend,
} from '../__testUtils__/startPluginBackend';
import {
  contentTypeOf,
  fixturesDir,
  reportFilesIn,
  UNLIMITED_UPLOADS,
} from '../__testUtils__/reportFiles';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import {
  applyAssessment,
  expireRiskAcceptances,
} from '../database/applyAssessment';
import { ImportScope } from '../database/applyImport';
import {
  forgetReportsOfObservations,
  forgetScopeReport,
} from '../database/identicalReimport';
import { reportParsers, xmlReportParsers } from './parsers';

jest.setTimeout(180_000);

const API = '/api/security-observations';
const entityRef = 'component:default/payments-api';

/** Every parser fixture, as [fixtures/folder/file, absolute path]. */
const fixtures = reportFilesIn('fixtures', fixturesDir);

const SARIF = path.join(fixturesDir, 'sarif/codeql-2.12_extensions.sarif');

/** Calls of every parser's read(): zero while an upload is recognized. */
const parserReads = [...reportParsers, ...xmlReportParsers].map(parser =>
  jest.spyOn(parser, 'read'),
);
const reads = () =>
  parserReads.reduce((sum, spy) => sum + spy.mock.calls.length, 0);

const allUnchanged = (findings: number) => ({
  new: 0,
  updated: 0,
  unchanged: findings,
  resolved: 0,
  reopened: 0,
});

/** The answer without what differs between any two imports. */
const comparable = ({ importId, ...rest }: Record<string, unknown>) => {
  expect(importId).toEqual(expect.any(String));
  return rest;
};

/** The import's row without its id and time. */
async function importRow(knex: Knex, importId: string) {
  const { id, created_at, ...row } = await knex('imports')
    .where({ id: importId })
    .first();
  expect([id, created_at]).toEqual([importId, expect.anything()]);
  return { ...row, report_bytes: Number(row.report_bytes) };
}

const scopeOf = (answer: Record<string, any>): ImportScope => ({
  entityRef: answer.entityRef,
  branch: answer.branch,
  scanner: answer.scanner,
  source: answer.source,
});

describe('an identical re-import is recognized without parsing', () => {
  const databases = createTestDatabases();

  async function start(databaseId: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(databaseId);
    const { server } = await startPluginBackend({
      knex,
      config: UNLIMITED_UPLOADS,
    });
    const post = (
      body: string | Buffer,
      query: Record<string, string>,
      contentType = 'application/json',
      headers: Record<string, string> = {},
    ) =>
      request(server)
        .post(`${API}/v1/imports`)
        .query({ entityRef, ...query })
        .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
        .set('Content-Type', contentType)
        .set(headers)
        // As bytes: supertest would serialize a Buffer as JSON.
        .serialize((value: unknown) => value as string)
        .send(body as unknown as object);
    /** Posts and says whether the report was read (parsed). */
    const postReading = async (
      ...args: Parameters<typeof post>
    ): Promise<{ body: Record<string, any>; parsed: boolean }> => {
      const before = reads();
      const response = await post(...args);
      expect({ status: response.status, error: response.body.error }).toEqual({
        status: 201,
        error: undefined,
      });
      return { body: response.body, parsed: reads() > before };
    };
    return { knex, post, postReading };
  }

  it.each(databases.eachSupportedId())(
    'answers and records for every fixture what reading it again would, on %s',
    async databaseId => {
      const { knex, postReading } = await start(databaseId);
      for (const [name, file] of fixtures) {
        const body = fs.readFileSync(file);
        const query = { source: name };
        const type = contentTypeOf(file);
        const first = await postReading(body, query, type);
        expect({ name, parsed: first.parsed }).toEqual({ name, parsed: true });
        const rows = await knex('observations')
          .where({ source: name })
          .orderBy('id');

        const recognized = await postReading(body, query, type);
        expect({ name, parsed: recognized.parsed }).toEqual({
          name,
          parsed: false,
        });
        expect(recognized.body.counts).toEqual(
          allUnchanged(first.body.findings),
        );

        // The same upload once more, read in full.
        await forgetScopeReport(knex, scopeOf(first.body));
        const read = await postReading(body, query, type);
        expect({ name, parsed: read.parsed }).toEqual({ name, parsed: true });

        expect({ name, answer: comparable(recognized.body) }).toEqual({
          name,
          answer: comparable(read.body),
        });
        expect({
          name,
          row: await importRow(knex, recognized.body.importId),
        }).toEqual({ name, row: await importRow(knex, read.body.importId) });
        // Neither wrote an observation.
        expect(
          await knex('observations').where({ source: name }).orderBy('id'),
        ).toEqual(rows);
        // The full read remembered the report again.
        const again = await postReading(body, query, type);
        expect({ name, parsed: again.parsed }).toEqual({ name, parsed: false });
      }
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'reads a report that differs by one byte, or is asked with other options, on %s',
    async databaseId => {
      const { knex, postReading } = await start(databaseId);
      const body = fs.readFileSync(SARIF);
      const first = await postReading(body, { source: 'ci' });
      const findings = first.body.findings;
      expect(first.body.counts.new).toBe(findings);

      // One more byte (a newline at the end): read, and all unchanged.
      const longer = Buffer.concat([body, Buffer.from('\n')]);
      const spaced = await postReading(longer, { source: 'ci' });
      expect(spaced.parsed).toBe(true);
      expect(spaced.body.counts).toEqual(allUnchanged(findings));
      // One byte of a finding's text changed: read, and that one updated.
      const text = body.toString('utf8');
      const at = text.indexOf('"text"', text.indexOf('"results"'));
      const edited = Buffer.from(
        `${text.slice(0, at + 9)}X${text.slice(at + 10)}`,
      );
      expect(edited.length).toBe(body.length);
      const changed = await postReading(edited, { source: 'ci' });
      expect(changed.parsed).toBe(true);
      expect(changed.body.counts).toMatchObject({ updated: 1, new: 0 });

      // The same bytes gzip-compressed are the same report.
      const gzipped = await postReading(
        gzipSync(edited),
        { source: 'ci' },
        'application/json',
        { 'Content-Encoding': 'gzip' },
      );
      expect(gzipped.parsed).toBe(false);

      // format= is part of what read it: read once with it, then known.
      const withFormat = await postReading(edited, {
        source: 'ci',
        format: 'sarif',
      });
      expect(withFormat.parsed).toBe(true);
      expect(withFormat.body.counts).toEqual(allUnchanged(findings));
      expect(
        (await postReading(edited, { source: 'ci', format: 'sarif' })).parsed,
      ).toBe(false);
      expect((await postReading(edited, { source: 'ci' })).parsed).toBe(true);

      // Another scope: its own report, read and new.
      const elsewhere: Array<Record<string, string>> = [
        { source: 'other' },
        { source: 'ci', branch: 'release' },
        { source: 'ci', scanner: 'codeql-nightly' },
      ];
      for (const query of elsewhere) {
        const own = await postReading(edited, query);
        expect({ query, parsed: own.parsed }).toEqual({
          query,
          parsed: true,
        });
        expect({ query, counts: own.body.counts }).toEqual({
          query,
          counts: { ...allUnchanged(0), new: findings },
        });
        expect((await postReading(edited, query)).parsed).toBe(false);
      }
      // Remembered by another version of the parsers: read again.
      await knex('observation_scopes')
        .where({ source: 'other' })
        .update({ report_reader: 'f'.repeat(64) });
      const upgraded = await postReading(edited, { source: 'other' });
      expect(upgraded.parsed).toBe(true);
      expect(upgraded.body.counts).toEqual(allUnchanged(findings));

      // scanner= naming the scanner the report names: the same scope.
      const named = await postReading(edited, {
        source: 'ci',
        scanner: first.body.scanner,
      });
      expect(named.parsed).toBe(true);
      expect(named.body.counts).toEqual(allUnchanged(findings));
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'answers the same warnings, the omitted ones counted, on %s',
    async databaseId => {
      const { knex, postReading } = await start(databaseId);
      // 150 results whose rule has a security-severity that is no score.
      const results = Array.from({ length: 150 }, (_, i) => ({
        ruleId: `rule-${i}`,
        message: { text: `Finding ${i}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: `src/file${i}.js` },
              region: { startLine: 1 },
            },
          },
        ],
      }));
      const rules = results.map(result => ({
        id: result.ruleId,
        properties: { 'security-severity': 'bad' },
      }));
      const body = JSON.stringify({
        version: '2.1.0',
        runs: [{ tool: { driver: { name: 'Lint', rules } }, results }],
      });
      const first = await postReading(body, { source: 'warnings' });
      expect(first.body.warnings).toHaveLength(100);
      expect(first.body.warningsOmitted).toBeGreaterThan(0);
      const again = await postReading(body, { source: 'warnings' });
      expect(again.parsed).toBe(false);
      expect(again.body.warnings).toEqual(first.body.warnings);
      expect(again.body.warningsOmitted).toBe(first.body.warningsOmitted);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'reads the report again after observations of its scope were deleted, on %s',
    async databaseId => {
      const { knex, postReading } = await start(databaseId);
      const body = fs.readFileSync(SARIF);
      const first = await postReading(body, { source: 'ci' });
      const findings = first.body.findings;
      const ids: string[] = (
        await knex('observations').where({ source: 'ci' }).orderBy('id')
      ).map(row => row.id);

      // An admin delete: it forgets the scope's report in its transaction.
      await knex.transaction(async trx => {
        await forgetReportsOfObservations(trx, [ids[0]]);
        await trx('observations').where({ id: ids[0] }).delete();
      });
      const back = await postReading(body, { source: 'ci' });
      expect(back.parsed).toBe(true);
      expect(back.body.counts).toEqual({
        ...allUnchanged(findings - 1),
        new: 1,
      });

      // A delete that does not forget (a path that forgot to, or one that
      // raced the import that remembered the report): the count of the
      // scope's rows tells, and the report is read.
      await knex('observations').where({ id: ids[1] }).delete();
      const backAgain = await postReading(body, { source: 'ci' });
      expect(backAgain.parsed).toBe(true);
      expect(backAgain.body.counts).toEqual({
        ...allUnchanged(findings - 1),
        new: 1,
      });
      expect((await postReading(body, { source: 'ci' })).parsed).toBe(false);

      // Rows of other scopes forget nothing of this one.
      await postReading(body, { source: 'other' });
      await knex.transaction(async trx => {
        const [other] = await trx('observations')
          .where({ source: 'other' })
          .select('id');
        await forgetReportsOfObservations(trx, [other.id]);
      });
      expect((await postReading(body, { source: 'ci' })).parsed).toBe(false);
      expect((await postReading(body, { source: 'other' })).parsed).toBe(true);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'counts assessments and expired risk acceptances as a full read does, on %s',
    async databaseId => {
      const { knex, postReading } = await start(databaseId);
      const body = fs.readFileSync(SARIF);
      const first = await postReading(body, { source: 'ci' });
      const [fixed, accepted] = await knex('observations')
        .where({ source: 'ci', status: 'open' })
        .orderBy('id')
        .select('id', 'severity');
      const actor = { ref: 'user:default/alice', kind: 'user' as const };
      await applyAssessment(knex, {
        entityRef,
        observationIds: [fixed.id],
        status: 'false_positive',
        comment: 'Not reachable',
        actor,
        now: new Date(),
      });
      await applyAssessment(knex, {
        entityRef,
        observationIds: [accepted.id],
        status: 'risk_accepted',
        comment: 'Until the next release',
        expiresAt: '2030-01-01T00:00:00.000Z',
        actor,
        now: new Date(),
      });
      const assessed = await postReading(body, { source: 'ci' });
      expect(assessed.parsed).toBe(false);
      const open = { ...first.body.unassessed.all };
      open[fixed.severity] -= 1;
      open[accepted.severity] -= 1;
      expect(assessed.body.unassessed.all).toEqual(open);

      // The acceptance expires: open again, and counted so.
      await expireRiskAcceptances(knex, new Date('2030-01-02T00:00:00.000Z'));
      const expired = await postReading(body, { source: 'ci' });
      expect(expired.parsed).toBe(false);
      await forgetScopeReport(knex, scopeOf(first.body));
      const read = await postReading(body, { source: 'ci' });
      expect(read.parsed).toBe(true);
      expect(comparable(expired.body)).toEqual(comparable(read.body));
      open[accepted.severity] += 1;
      expect(read.body.unassessed.all).toEqual(open);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'answers concurrent uploads to one scope as some order of them would, on %s',
    async databaseId => {
      const { knex, postReading } = await start(databaseId);
      const full = JSON.parse(fs.readFileSync(SARIF, 'utf8'));
      const fewer = JSON.parse(JSON.stringify(full));
      const dropped = fewer.runs[0].results.pop();
      expect(dropped).toBeDefined();
      const reports = {
        full: JSON.stringify(full),
        fewer: JSON.stringify(fewer),
      };
      const first = await postReading(reports.full, { source: 'ci' });
      const findings = first.body.findings;
      // The scope's rows stand for `full` now.

      const order: Array<keyof typeof reports> = [
        'fewer',
        'full',
        'fewer',
        'full',
        'full',
        'fewer',
        'fewer',
        'full',
      ];
      const answers = await Promise.all(
        order.map(name => postReading(reports[name], { source: 'ci' })),
      );
      // What each can answer: the same report as before it, or the other.
      const possible = {
        full: {
          again: allUnchanged(findings),
          changed: { ...allUnchanged(findings - 1), reopened: 1 },
        },
        fewer: {
          again: allUnchanged(findings - 1),
          changed: { ...allUnchanged(findings - 1), resolved: 1 },
        },
      };
      answers.forEach(({ body }, i) => {
        expect(Object.values(possible[order[i]])).toContainEqual(body.counts);
      });
      const changesTo = (name: keyof typeof reports) =>
        answers.filter(
          ({ body }, i) =>
            order[i] === name &&
            JSON.stringify(body.counts) ===
              JSON.stringify(possible[name].changed),
        ).length;
      const leftFull = changesTo('fewer');
      const backToFull = changesTo('full');
      // Changes alternate, starting from `full`; the last one committed is
      // what the scope's rows stand for.
      expect([0, 1]).toContain(leftFull - backToFull);
      const { last_import_id } = await knex('observation_scopes')
        .where({ entity_ref: entityRef, source: 'ci' })
        .first('last_import_id');
      const last =
        order[answers.findIndex(a => a.body.importId === last_import_id)];
      expect(last).toBe(leftFull > backToFull ? 'fewer' : 'full');
      const expected = allUnchanged(last === 'full' ? findings : findings - 1);
      const recognized = await postReading(reports[last], { source: 'ci' });
      expect(recognized.body.counts).toEqual(expected);
      await forgetScopeReport(knex, scopeOf(first.body));
      const read = await postReading(reports[last], { source: 'ci' });
      expect(read.parsed).toBe(true);
      expect(read.body.counts).toEqual(expected);
      await knex.destroy();
    },
  );
});
