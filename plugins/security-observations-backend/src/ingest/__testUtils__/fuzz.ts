import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { SEVERITIES } from 'backstage-plugin-security-observations-common';
import { ReportJsonError } from '../json/ReportJsonError';
import { ReportLimitError } from '../ReportLimitError';
import { ReportParseError } from '../parsers/ReportParseError';
import { ParsedFinding } from '../parsers/types';

/**
 * The fuzz tests' settings. The unit run uses a fixed seed and a few
 * hundred runs per property; `scripts/fuzz` sets FUZZ_RUNS high and a
 * fresh FUZZ_SEED, which it prints: the same two reproduce a failure.
 * FUZZ_CASE_MS bounds one case's time (a hang or a quadratic blow-up
 * fails the property instead of the suite's timeout).
 */
export const fuzzSettings = {
  seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20260522,
  runs: process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : undefined,
  caseMs: Number(process.env.FUZZ_CASE_MS ?? 5_000),
};

/** fast-check's parameters: the seed, and `unitRuns` unless FUZZ_RUNS says. */
export function fuzzParameters(unitRuns: number): fc.Parameters<unknown> {
  return {
    seed: fuzzSettings.seed,
    numRuns: fuzzSettings.runs ?? unitRuns,
    // A long run reports what failed, and the seed that finds it again.
    verbose: fuzzSettings.runs !== undefined ? 1 : 0,
  };
}

/** A timeout for a test of `unitRuns` cases each, at most `caseMs`. */
export function fuzzTimeout(unitRuns: number, properties = 1): number {
  const runs = fuzzSettings.runs ?? unitRuns;
  return Math.max(60_000, runs * properties * 50);
}

/** The product's errors for input it cannot read: nothing else may escape. */
export function isInputError(error: unknown): boolean {
  return (
    error instanceof ReportParseError ||
    error instanceof ReportJsonError ||
    error instanceof ReportLimitError
  );
}

/**
 * Runs `read` as one fuzz case: it returns, or throws one of the
 * product's input errors, within `fuzzSettings.caseMs`, and pollutes no
 * prototype. Anything else (a TypeError, a RangeError from a stack
 * overflow or a runaway allocation) fails the property.
 */
export function fuzzCase<T>(read: () => T): T | undefined {
  const started = performance.now();
  let result: T | undefined;
  try {
    result = read();
  } catch (error) {
    if (!isInputError(error)) throw error;
  }
  const elapsed = performance.now() - started;
  if (elapsed > fuzzSettings.caseMs) {
    throw new Error(
      `One case took ${Math.round(elapsed)} ms, over FUZZ_CASE_MS=${
        fuzzSettings.caseMs
      }`,
    );
  }
  if (({} as Record<string, unknown>).polluted !== undefined) {
    throw new Error('Object.prototype was polluted');
  }
  return result;
}

/** What every finding a parser returns must look like. */
export function expectWellFormedFindings(findings: ParsedFinding[]): void {
  for (const finding of findings) {
    expect(typeof finding.identityKey).toBe('string');
    expect(typeof finding.title).toBe('string');
    expect(typeof finding.description).toBe('string');
    expect(SEVERITIES).toContain(finding.severity);
    expect(Array.isArray(finding.vulnerabilityIds)).toBe(true);
    expect(finding.vulnerabilityIds.every(id => typeof id === 'string')).toBe(
      true,
    );
    for (const line of [
      finding.location?.startLine,
      finding.location?.endLine,
    ]) {
      if (line !== undefined) expect(Number.isFinite(line)).toBe(true);
    }
  }
}

/** The fixtures of `dir` (a folder of `__fixtures__`), read once. */
export function fixtureFiles(
  dir: string,
): Array<{ name: string; bytes: Buffer }> {
  const root = path.resolve(__dirname, '../parsers/__fixtures__', dir);
  return fs
    .readdirSync(root)
    .filter(name => /\.(json|sarif|xml)$/.test(name))
    .sort()
    .map(name => ({ name, bytes: fs.readFileSync(path.join(root, name)) }));
}

/**
 * Byte sequences that break readers in interesting ways: structure, a
 * broken escape, a lone surrogate, NUL, invalid UTF-8, a number past
 * doubles, prototype keys, deep nesting.
 */
const HOSTILE_PIECES = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  '\\',
  '\\u',
  '"\\ud800"',
  '"\\u0000"',
  '\u0000',
  'null',
  'true',
  '-0',
  '1e999',
  '-1e-999',
  '12345678901234567890123',
  '"__proto__":{"polluted":true},',
  '"constructor":{"prototype":{"polluted":true}},',
  '<',
  '>',
  '</',
  '<!DOCTYPE x [<!ENTITY e "e">]>',
  '&e;',
  '&#0;',
  '<![CDATA[',
  ']]>',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
  '😀',
].map(piece => Buffer.from(piece));

const INVALID_UTF8 = [
  Buffer.from([0xff]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xe2, 0x82]),
];

/**
 * The value, shown in a failure's report as `describe()` says: a fixture's
 * name and the edits made to it, instead of every byte.
 */
function described<T extends object>(value: T, describe: () => string): T {
  return Object.defineProperty(value, fc.toStringMethod, { value: describe });
}

type Edit =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Buffer }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.constantFrom(...HOSTILE_PIECES, ...INVALID_UTF8),
      fc.uint8Array({ minLength: 1, maxLength: 16 }).map(b => Buffer.from(b)),
    ),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 256 }),
  }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    byte: fc.nat(255),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function applyEdit(bytes: Buffer, change: Edit): Buffer {
  if (bytes.length === 0) {
    return change.kind === 'insert' ? change.bytes : bytes;
  }
  const at = change.at % bytes.length;
  switch (change.kind) {
    case 'delete':
      return Buffer.concat([
        bytes.subarray(0, at),
        bytes.subarray(at + change.length),
      ]);
    case 'insert':
      return Buffer.concat([
        bytes.subarray(0, at),
        change.bytes,
        bytes.subarray(at),
      ]);
    case 'duplicate':
      return Buffer.concat([
        bytes.subarray(0, at + change.length),
        bytes.subarray(at),
      ]);
    case 'flip': {
      const copy = Buffer.from(bytes);
      copy[at] = change.byte;
      return copy;
    }
    default:
      return bytes.subarray(0, at);
  }
}

/** A fixture's bytes with one to eight edits: a broken real report. */
export function mutatedBytes(
  fixtures: Array<{ name: string; bytes: Buffer }>,
): fc.Arbitrary<{ name: string; bytes: Buffer }> {
  return fc
    .tuple(
      fc.constantFrom(...fixtures),
      fc.array(edit, { minLength: 1, maxLength: 8 }),
    )
    .map(([fixture, edits]) =>
      described(
        {
          name: fixture.name,
          bytes: edits.reduce(applyEdit, fixture.bytes),
        },
        () => `${fixture.name} with edits ${fc.stringify(edits)}`,
      ),
    );
}

/** Any bytes, often starting like JSON or XML. */
export const arbitraryBytes: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.constantFrom('', '{', '[', '<', '\uFEFF{', '<?xml version="1.0"?>'),
    fc.uint8Array({ maxLength: 512 }),
  )
  .map(([start, rest]) => Buffer.concat([Buffer.from(start), rest]));

/** Strings a hostile report puts where text goes. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udc00x',
    '😀'.repeat(120),
    '__proto__',
    'constructor',
    '../../etc/passwd',
    'file:///etc/passwd',
    '<script>alert(1)</script>',
    'a'.repeat(5_000),
    'pkg:npm/%40scope/x@1?arch=%00',
    'CVE-2024-0001',
    'CWE-79',
    '99999999999999999999',
  ),
);

/** JSON values of a hostile kind, for documents' leaves and subtrees. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  hostileString,
  fc.constantFrom(
    -0,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    0.5,
    -1,
    [],
    {},
    null,
    true,
  ),
  fc.array(hostileString, { maxLength: 4 }),
);

type JsonPath = Array<string | number>;

/** Every path of a plain JSON document, the root first. */
function pathsOf(value: unknown): JsonPath[] {
  const out: JsonPath[] = [];
  const walk = (item: unknown, at: JsonPath) => {
    out.push(at);
    if (Array.isArray(item))
      item.forEach((child, i) => walk(child, [...at, i]));
    else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item))
        walk(child, [...at, key]);
    }
  };
  walk(value, []);
  return out;
}

type Mutation =
  | { kind: 'replace'; pick: number; value: unknown }
  | { kind: 'remove'; pick: number }
  | { kind: 'duplicate'; pick: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('replace' as const),
    pick: fc.nat(),
    value: hostileJson,
  }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat() }),
);

function mutate(document: unknown, change: Mutation): unknown {
  const paths = pathsOf(document);
  const at = paths[change.pick % paths.length];
  if (at.length === 0) {
    return change.kind === 'replace' ? change.value : document;
  }
  const copy = structuredClone(document) as any;
  let parent = copy;
  for (const key of at.slice(0, -1)) parent = parent[key];
  const key = at[at.length - 1];
  if (change.kind === 'replace') {
    parent[key] = change.value;
  } else if (change.kind === 'remove') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (Array.isArray(parent)) {
    parent.splice(key as number, 0, structuredClone(parent[key as number]));
  }
  return copy;
}

/**
 * A JSON fixture with one to four values replaced by hostile JSON, removed
 * or repeated: a real report bent in the ways scanners and attackers bend
 * them, still valid JSON.
 */
export function mutatedDocuments(
  fixtures: Array<{ name: string; bytes: Buffer }>,
): fc.Arbitrary<{ name: string; document: unknown }> {
  const documents = fixtures.map(({ name, bytes }) => ({
    name,
    document: JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')),
  }));
  return fc
    .tuple(
      fc.constantFrom(...documents),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
    )
    .map(([{ name, document }, changes]) =>
      described(
        { name, document: changes.reduce(mutate, document) },
        () => `${name} with changes ${fc.stringify(changes)}`,
      ),
    );
}
