import { createTestDatabases } from '../__testUtils__/testDatabases';
import { dependencyFinding } from '../__testUtils__/findings';
import { normalizeFindings } from '../ingest/NormalizedFinding';
import { ParsedFinding } from '../ingest/parsers/types';
import {
  migrateUp,
  SecurityObservationsStore,
} from './SecurityObservationsStore';

jest.setTimeout(60_000);

const entityRef = 'component:default/payments-api';
const day = (n: number, hour = 10) =>
  new Date(Date.UTC(2026, 10, n, hour, 0, 0));

describe('entity trend', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'counts active observations per day from imports and assessments, and the mean time to resolve, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateUp(knex);
      const store = await SecurityObservationsStore.create({
        database: { getClient: async () => knex, migrations: { skip: true } },
      });
      const importAt = (now: Date, findings: ParsedFinding[]) =>
        store.applyImport({
          scope: {
            entityRef,
            branch: 'main',
            scanner: 'trivy',
            source: 'image',
          },
          format: 'trivy',
          actor: 'external:ci',
          reportBytes: 1000,
          findings: normalizeFindings(findings),
          now,
        });
      const critical = dependencyFinding('CVE-2024-0001', 'openssl', {
        severity: 'critical',
      });
      const highZlib = dependencyFinding('CVE-2024-0002', 'zlib');
      const highMusl = dependencyFinding('CVE-2024-0003', 'musl');

      // Nov 11: three found. Nov 13: musl fixed (resolved by the scan).
      // Nov 15: the critical one assessed a false positive. Nov 17: musl
      // comes back.
      await importAt(day(11), [critical, highZlib, highMusl]);
      await importAt(day(13), [critical, highZlib]);
      const criticalId = (
        await store.listObservations({ entityRef, severity: ['critical'] })
      ).items[0].id;
      await store.applyAssessment({
        entityRef,
        observationIds: [criticalId],
        status: 'false_positive',
        comment: 'The vulnerable function is not linked into the image',
        actor: { ref: 'user:default/alice', kind: 'user' },
        now: day(15),
      });
      await importAt(day(17), [critical, highZlib, highMusl]);

      const trend = await store.getTrend({
        entityRef,
        days: 9,
        activeStatuses: ['open', 'in_review'],
        now: day(18, 12),
      });

      const active = trend.points.map(point => [
        point.date,
        point.activeBySeverity.critical,
        point.activeBySeverity.high,
      ]);
      expect(active).toEqual([
        ['2026-11-10', 0, 0],
        ['2026-11-11', 1, 2],
        ['2026-11-12', 1, 2],
        ['2026-11-13', 1, 1],
        ['2026-11-14', 1, 1],
        ['2026-11-15', 0, 1],
        ['2026-11-16', 0, 1],
        ['2026-11-17', 0, 2],
        ['2026-11-18', 0, 2],
      ]);
      expect(trend.points[0].activeBySeverity.medium).toBe(0);
      // musl was resolved after two days, then reopened: it is not resolved
      // now, so no observation counts towards the mean.
      expect(trend.resolvedBySeverity.high).toBe(0);
      expect(trend.meanDaysToResolve.high).toBeNull();

      await importAt(day(18, 10), [critical, highZlib]);
      const later = await store.getTrend({
        entityRef,
        days: 9,
        activeStatuses: ['open', 'in_review'],
        now: day(18, 12),
      });
      expect(later.points[8].activeBySeverity.high).toBe(1);
      // first seen Nov 11 10:00, resolved Nov 18 10:00.
      expect(later.resolvedBySeverity.high).toBe(1);
      expect(later.meanDaysToResolve.high).toBe(7);
      await knex.destroy();
    },
  );
});
