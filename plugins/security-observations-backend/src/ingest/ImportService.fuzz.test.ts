import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import fc from 'fast-check';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import {
  arbitraryBytes,
  fixtureFiles,
  fuzzParameters,
  fuzzSettings,
  fuzzTimeout,
  mutatedBytes,
  mutatedDocuments,
} from './__testUtils__/fuzz';
import { expectStorable } from './__testUtils__/parserFuzz';
import { ImportService } from './ImportService';
import { MemoryReportBytes } from './json/ReportBytes';
import { NormalizedFinding } from './NormalizedFinding';
import { REPORT_FORMATS, reportParsers, xmlReportParsers } from './parsers';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/team-payments' },
};

/**
 * The store's side of an import, without a database: it consumes the
 * findings as `applyImport` does (which is where a report's late errors
 * surface) and checks each is storable.
 */
const store = {
  // Never a known report: every case is parsed.
  applyIdenticalReimport: async () => undefined,
  async applyImport(input: { findings: Iterable<NormalizedFinding> }) {
    let findingCount = 0;
    for (const { finding } of input.findings) {
      expectStorable(finding);
      findingCount += 1;
    }
    return {
      importId: 'fuzz',
      counts: {
        new: findingCount,
        updated: 0,
        unchanged: 0,
        resolved: 0,
        reopened: 0,
      },
      findingCount,
      unassessed: {},
    };
  },
} as unknown as SecurityObservationsStore;

const imports = new ImportService({
  store,
  findEntity: async () => entity,
  parsers: reportParsers,
  xmlParsers: xmlReportParsers,
});

/** One import: answered, or refused with a 400; nothing else, in time. */
async function importsOrRefuses(
  bytes: Buffer,
  format: (typeof REPORT_FORMATS)[number] | undefined,
): Promise<void> {
  const started = performance.now();
  try {
    const answer = await imports.importReport({
      entityRef: 'component:default/payments-api',
      report: new MemoryReportBytes(bytes),
      actor: 'ci-scanner',
      format,
    });
    expect(answer.scanner.length).toBeLessThanOrEqual(128);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    expect(error.message.length).toBeGreaterThan(0);
  }
  const elapsed = performance.now() - started;
  if (elapsed > fuzzSettings.caseMs) {
    throw new Error(`One import took ${Math.round(elapsed)} ms`);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

const jsonFixtures = [
  'sarif',
  'cyclonedx',
  'trivy',
  'grype',
  'osv',
  'gitleaks',
  'semgrep',
].flatMap(dir => fixtureFiles(dir));
const xmlFixtures = fixtureFiles('cyclonedx-xml');

const format = fc.option(fc.constantFrom(...REPORT_FORMATS), {
  nil: undefined,
  freq: 3,
});

const UNIT_RUNS = 200;

/**
 * The whole reading path of an import (XML or JSON, detection, a format
 * named or not, each parser, normalization), fuzzed as the route calls it.
 */
describe('fuzzing ImportService', () => {
  it(
    'answers or refuses arbitrary bytes, with or without format=',
    async () => {
      await expect(
        fc.assert(
          fc.asyncProperty(arbitraryBytes, format, importsOrRefuses),
          fuzzParameters(UNIT_RUNS),
        ),
      ).resolves.toBeUndefined();
    },
    fuzzTimeout(UNIT_RUNS),
  );

  it(
    'answers or refuses mutated reports of every format, with or without format=',
    async () => {
      await expect(
        fc.assert(
          fc.asyncProperty(
            fc.oneof(
              mutatedBytes([...jsonFixtures, ...xmlFixtures]).map(
                ({ bytes }) => bytes,
              ),
              mutatedDocuments(jsonFixtures).map(({ document }) =>
                Buffer.from(JSON.stringify(document)),
              ),
            ),
            format,
            importsOrRefuses,
          ),
          fuzzParameters(UNIT_RUNS),
        ),
      ).resolves.toBeUndefined();
    },
    fuzzTimeout(UNIT_RUNS),
  );
});
