import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { dependencyFinding } from '../__testUtils__/findings';
import { normalizeFindings } from '../ingest/NormalizedFinding';
import { ParsedFinding } from '../ingest/parsers/types';
import { ImportScope } from './applyImport';
import { toIsoString } from './dates';
import { observationsWithLastSeen } from './observationRows';
import {
  migrateUp,
  SecurityObservationsStore,
} from './SecurityObservationsStore';

jest.setTimeout(60_000);

const scope: ImportScope = {
  entityRef: 'component:default/payments-api',
  branch: 'main',
  scanner: 'trivy',
  source: 'image',
};

describe('applyImport', () => {
  const databases = createTestDatabases();

  async function setup(databaseId: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(databaseId);
    await migrateUp(knex);
    const store = await SecurityObservationsStore.create({
      database: { getClient: async () => knex, migrations: { skip: true } },
    });
    let clock = Date.parse('2026-11-01T10:00:00.000Z');
    const importFindings = (findings: ParsedFinding[], over = scope) => {
      clock += 3_600_000;
      return store.applyImport({
        scope: over,
        format: 'trivy',
        actor: 'external:ci-scanner',
        reportBytes: 1234,
        findings: normalizeFindings(findings),
        now: new Date(clock),
      });
    };
    const observations = () =>
      store.listObservations({ entityRef: scope.entityRef, limit: 500 });
    return { knex, store, importFindings, observations };
  }

  it.each(databases.eachSupportedId())(
    'stores new findings once and counts an identical re-import as unchanged on %s',
    async databaseId => {
      const { knex, importFindings, observations } = await setup(databaseId);
      const report = [
        dependencyFinding('CVE-2024-0001', 'openssl'),
        dependencyFinding('CVE-2024-0002', 'zlib'),
        // An exact repeat in one report is one observation.
        dependencyFinding('CVE-2024-0002', 'zlib'),
      ];

      const first = await importFindings(report);
      expect(first.counts).toEqual({
        new: 2,
        updated: 0,
        unchanged: 0,
        resolved: 0,
        reopened: 0,
      });
      const afterFirst = await observations();
      expect(afterFirst.totalCount).toBe(2);

      const second = await importFindings(report);
      expect(second.counts).toEqual({
        new: 0,
        updated: 0,
        unchanged: 2,
        resolved: 0,
        reopened: 0,
      });
      const afterSecond = await observations();
      const byId = new Map(afterFirst.items.map(item => [item.id, item]));
      for (const item of afterSecond.items) {
        const before = byId.get(item.id)!;
        // Only the last-seen time moved.
        expect({ ...item, lastSeenAt: '' }).toEqual({
          ...before,
          lastSeenAt: '',
        });
        expect(Date.parse(item.lastSeenAt)).toBeGreaterThan(
          Date.parse(before.lastSeenAt),
        );
      }
      const [{ n }] = await knex('observation_events').count({ n: '*' });
      expect(Number(n)).toBe(0);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'resolves what disappeared and reopens what comes back, with audit entries, on %s',
    async databaseId => {
      const { knex, store, importFindings, observations } = await setup(
        databaseId,
      );
      await importFindings([
        dependencyFinding('CVE-2024-0001', 'openssl'),
        dependencyFinding('CVE-2024-0002', 'zlib'),
      ]);

      const gone = await importFindings([
        dependencyFinding('CVE-2024-0001', 'openssl'),
      ]);
      expect(gone.counts).toMatchObject({ unchanged: 1, resolved: 1 });
      const zlib = (await observations()).items.find(
        item => item.package?.name === 'zlib',
      )!;
      expect(zlib.status).toBe('resolved');
      expect(zlib.resolvedAt).not.toBeNull();

      // Still gone: nothing more to resolve.
      const stillGone = await importFindings([
        dependencyFinding('CVE-2024-0001', 'openssl'),
      ]);
      expect(stillGone.counts).toMatchObject({ unchanged: 1, resolved: 0 });

      const back = await importFindings([
        dependencyFinding('CVE-2024-0001', 'openssl'),
        dependencyFinding('CVE-2024-0002', 'zlib'),
      ]);
      expect(back.counts).toMatchObject({ unchanged: 1, reopened: 1 });
      const reopened = (await store.getObservation(zlib.id))!;
      expect(reopened.status).toBe('open');
      expect(reopened.resolvedAt).toBeNull();

      const events = await store.listEvents(zlib.id);
      expect(events.map(e => [e.type, e.changes.status, e.actor])).toEqual([
        ['created', { to: 'open' }, 'external:ci-scanner'],
        ['resolved', { from: 'open', to: 'resolved' }, 'external:ci-scanner'],
        ['reopened', { from: 'resolved', to: 'open' }, 'external:ci-scanner'],
      ]);
      expect(events[1].comment).toBe('Not found in the latest scan');
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps an assessed status and severity across re-imports on %s',
    async databaseId => {
      const { knex, store, importFindings } = await setup(databaseId);
      await importFindings([dependencyFinding('CVE-2024-0001', 'openssl')]);
      const [{ id }] = await knex('observations').select('id');
      // What the assessment feature writes.
      await knex('observations').where({ id }).update({
        assessed_status: 'false_positive',
        status: 'false_positive',
        assessed_severity: 'low',
        severity: 'low',
        severity_rank: 3,
      });

      // The scanner now says critical, with a new description.
      const changed = await importFindings([
        dependencyFinding('CVE-2024-0001', 'openssl', {
          severity: 'critical',
          description: 'Rescored by the vendor.',
        }),
      ]);
      expect(changed.counts).toMatchObject({ updated: 1 });
      let observation = (await store.getObservation(id))!;
      expect(observation).toMatchObject({
        status: 'false_positive',
        severity: 'low',
        parserSeverity: 'critical',
        description: 'Rescored by the vendor.',
      });

      // Gone and back: resolved in between, the assessment again after.
      await importFindings([]);
      expect((await store.getObservation(id))!.status).toBe('resolved');
      await importFindings([
        dependencyFinding('CVE-2024-0001', 'openssl', { severity: 'critical' }),
      ]);
      observation = (await store.getObservation(id))!;
      expect(observation.status).toBe('false_positive');
      const events = await store.listEvents(id);
      expect(events.map(e => e.type)).toEqual([
        'created',
        'updated',
        'resolved',
        'reopened',
      ]);
      expect(events[1].changes).toEqual({
        parserSeverity: { from: 'high', to: 'critical' },
      });
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps scopes apart: another source or branch resolves nothing here, on %s',
    async databaseId => {
      const { knex, importFindings, observations } = await setup(databaseId);
      await importFindings([dependencyFinding('CVE-2024-0001', 'openssl')]);
      const other = await importFindings([], { ...scope, source: 'sbom' });
      expect(other.counts.resolved).toBe(0);
      const develop = await importFindings(
        [dependencyFinding('CVE-2024-0001', 'openssl')],
        { ...scope, branch: 'develop' },
      );
      expect(develop.counts.new).toBe(1);
      const all = await observations();
      expect(all.items.map(item => [item.branch, item.status]).sort()).toEqual([
        ['develop', 'open'],
        ['main', 'open'],
      ]);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'stores nothing when any part of an import fails, on %s',
    async databaseId => {
      const { knex, store, importFindings } = await setup(databaseId);
      await importFindings([
        dependencyFinding('CVE-2024-0001', 'openssl'),
        dependencyFinding('CVE-2024-0002', 'zlib'),
      ]);
      const snapshot = async (db: Knex) => ({
        observations: await db('observations').orderBy('id'),
        imports: await db('imports').orderBy('id'),
        events: await db('observation_events').orderBy('id'),
      });
      const before = await snapshot(knex);

      // The new finding breaks a NOT NULL column after the scope was read,
      // the missing one would be resolved and the first one updated.
      await expect(
        importFindings([
          dependencyFinding('CVE-2024-0001', 'openssl', { severity: 'low' }),
          dependencyFinding('CVE-2024-0003', 'musl', {
            title: null as unknown as string,
          }),
        ]),
      ).rejects.toThrow();

      expect(await snapshot(knex)).toEqual(before);

      // Fails at the very last statement (the import row), after the
      // insert, the updates, the resolution and the audit entries ran.
      await expect(
        store.applyImport({
          scope,
          format: 'trivy',
          actor: 'external:ci-scanner',
          reportBytes: null as unknown as number,
          findings: normalizeFindings([
            dependencyFinding('CVE-2024-0001', 'openssl', { severity: 'low' }),
            dependencyFinding('CVE-2024-0003', 'musl'),
          ]),
          now: new Date('2026-11-20T00:00:00.000Z'),
        }),
      ).rejects.toThrow();

      expect(await snapshot(knex)).toEqual(before);

      // Breaks while the findings are still being read, after whole chunks
      // of them were written: a report's 12,001st element is unreadable.
      function* brokenLate(): Generator<ParsedFinding> {
        for (let i = 0; i < 12_000; i++) {
          yield dependencyFinding(`CVE-2025-${10000 + i}`, `lib${i}`);
        }
        throw new Error(
          'Trivy JSON: Results[0].Vulnerabilities[12000]: broken',
        );
      }
      await expect(
        store.applyImport({
          scope,
          format: 'trivy',
          actor: 'external:ci-scanner',
          reportBytes: 1234,
          findings: normalizeFindings(brokenLate()),
          now: new Date('2026-11-21T00:00:00.000Z'),
        }),
      ).rejects.toThrow('Results[0].Vulnerabilities[12000]: broken');

      expect(await snapshot(knex)).toEqual(before);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'applies a report larger than one chunk as one import on %s',
    async databaseId => {
      const { knex, importFindings } = await setup(databaseId);
      const report = (from: number, to: number) =>
        Array.from({ length: to - from }, (_, i) =>
          dependencyFinding(`CVE-2025-${10000 + from + i}`, `lib${from + i}`),
        );
      const count = async (where: Record<string, unknown>) =>
        Number(
          (await knex('observations').where(where).count({ n: '*' }))[0].n,
        );

      const first = await importFindings(report(0, 12_000));
      expect(first.counts.new).toBe(12_000);
      expect(first.findingCount).toBe(12_000);

      // Shifted by 3,000: chunks of the second import meet rows written by
      // different chunks of the first.
      const second = await importFindings([
        ...report(3_000, 15_000),
        // An exact repeat of a finding from an earlier chunk is still one.
        dependencyFinding('CVE-2025-13000', 'lib3000'),
      ]);
      expect(second.counts).toEqual({
        new: 3_000,
        updated: 0,
        unchanged: 9_000,
        resolved: 3_000,
        reopened: 0,
      });
      expect(second.findingCount).toBe(12_000);
      expect(await count({ status: 'resolved' })).toBe(3_000);
      // Last seen: the 12,000 of the second report by the second import,
      // the 3,000 it resolved by the first.
      const importedAt = async (importId: string) =>
        toIsoString(
          (await knex('imports').where({ id: importId }).first('created_at'))
            .created_at,
        );
      const lastSeen = new Map<string, number>();
      for (const row of await knex(observationsWithLastSeen(knex)).select(
        'seen_at',
      )) {
        const at = toIsoString(row.seen_at);
        lastSeen.set(at, (lastSeen.get(at) ?? 0) + 1);
      }
      expect(lastSeen).toEqual(
        new Map([
          [await importedAt(first.importId), 3_000],
          [await importedAt(second.importId), 12_000],
        ]),
      );
      const resolvedEvents = await knex('observation_events')
        .where({ import_id: second.importId, type: 'resolved' })
        .count({ n: '*' });
      expect(Number(resolvedEvents[0].n)).toBe(3_000);
      await knex.destroy();
    },
  );
});
