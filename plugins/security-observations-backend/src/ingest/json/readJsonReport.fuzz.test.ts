import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  arbitraryBytes,
  fixtureFiles,
  fuzzCase,
  fuzzParameters,
  fuzzTimeout,
  hostileJson,
  isInputError,
  mutatedBytes,
  mutatedDocuments,
} from '../__testUtils__/fuzz';
import { LazyJsonArray } from './LazyJsonArray';
import { FileReportBytes, MemoryReportBytes, ReportBytes } from './ReportBytes';
import { readJsonReport } from './readJsonReport';

/** The document with every lazy array read into a plain array. */
function materialize(value: unknown): unknown {
  if (value instanceof LazyJsonArray || Array.isArray(value)) {
    return Array.from(value, materialize);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, materialize(item)]),
    );
  }
  return value;
}

/** What `JSON.parse` makes of the bytes (a leading BOM allowed), or `undefined`. */
function parsedByJson(bytes: Buffer): { value: unknown } | undefined {
  try {
    return {
      value: JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')),
    };
  } catch {
    return undefined;
  }
}

/**
 * One case: the streaming reader and `JSON.parse` agree. Where `JSON.parse`
 * reads the text, the reader gives the same value (or refuses it by a
 * limit, saying so); where it does not, the reader throws its JSON error,
 * at the scan or when an element is reached. Nothing else is thrown.
 */
function agreesWithJsonParse(bytes: ReportBytes, raw: Buffer): void {
  const expected = parsedByJson(raw);
  let outcome: { value: unknown } | { error: Error } | undefined;
  fuzzCase(() => {
    try {
      outcome = { value: materialize(readJsonReport(bytes).document) };
    } catch (error) {
      outcome = { error: error as Error };
      throw error;
    }
  });
  if (!outcome || 'error' in outcome) {
    const error = outcome?.error;
    expect(isInputError(error)).toBe(true);
    if (expected && error?.name === 'ReportJsonError') {
      throw new Error(
        `JSON.parse reads what the reader refused: ${error.message}`,
      );
    }
    return;
  }
  expect(expected).toBeDefined();
  expect(outcome.value).toEqual(expected!.value);
}

const fixtures = [
  'sarif',
  'cyclonedx',
  'trivy',
  'grype',
  'osv',
  'gitleaks',
  'semgrep',
].flatMap(dir => fixtureFiles(dir));

const UNIT_RUNS = 300;

describe('fuzzing readJsonReport', () => {
  it(
    'reads arbitrary bytes as JSON.parse does, or refuses them with its error',
    () => {
      expect(() =>
        fc.assert(
          fc.property(arbitraryBytes, raw =>
            agreesWithJsonParse(new MemoryReportBytes(raw), raw),
          ),
          fuzzParameters(UNIT_RUNS),
        ),
      ).not.toThrow();
    },
    fuzzTimeout(UNIT_RUNS),
  );

  it(
    'reads arbitrary JSON texts, however spaced, as JSON.parse does',
    () => {
      expect(() =>
        fc.assert(
          fc.property(
            fc.oneof(fc.jsonValue(), hostileJson),
            fc.constantFrom(undefined, 1, '\t', '\r\n '),
            (value, space) => {
              const raw = Buffer.from(
                JSON.stringify(value, null, space as any),
              );
              agreesWithJsonParse(new MemoryReportBytes(raw), raw);
            },
          ),
          fuzzParameters(UNIT_RUNS),
        ),
      ).not.toThrow();
    },
    fuzzTimeout(UNIT_RUNS),
  );

  it(
    'reads mutated real reports as JSON.parse does',
    () => {
      expect(() =>
        fc.assert(
          fc.property(
            fc.oneof(
              mutatedBytes(fixtures).map(({ bytes }) => bytes),
              mutatedDocuments(fixtures).map(({ document }) =>
                Buffer.from(JSON.stringify(document)),
              ),
            ),
            raw => agreesWithJsonParse(new MemoryReportBytes(raw), raw),
          ),
          fuzzParameters(UNIT_RUNS),
        ),
      ).not.toThrow();
    },
    fuzzTimeout(UNIT_RUNS),
  );

  it(
    'reads mutated real reports spilled to a file, through small windows, alike',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'so-fuzz-'));
      try {
        await expect(
          fc.assert(
            fc.asyncProperty(
              mutatedBytes(fixtures),
              // Small windows put tokens across their edges; a byte at a time is
              // too slow for a 60 kB fixture within a case's time bound.
              fc.integer({ min: 7, max: 4096 }),
              async ({ bytes: raw }, windowBytes) => {
                const file = path.join(dir, 'report.json');
                fs.writeFileSync(file, raw);
                const handle = await fs.promises.open(file, 'r');
                try {
                  agreesWithJsonParse(
                    new FileReportBytes(file, handle, raw.length, windowBytes),
                    raw,
                  );
                } finally {
                  await handle.close();
                }
              },
            ),
            fuzzParameters(UNIT_RUNS / 3),
          ),
        ).resolves.toBeUndefined();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    fuzzTimeout(UNIT_RUNS),
  );
});
