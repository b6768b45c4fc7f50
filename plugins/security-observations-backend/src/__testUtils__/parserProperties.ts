import path from 'node:path';
import fc from 'fast-check';
import { ReportParseError } from '../ingest/parsers/ReportParseError';
import { ReportParser } from '../ingest/parsers/types';
import { corpusFiles, readJson } from './corpus';

/**
 * Helpers shared by the parser tests: fixture mutation, the documents of the
 * other formats, and the fast-check properties every parser must hold.
 */

export type JsonPath = Array<string | number>;

/**
 * Every JSON path in a document, depth first, parents before children. The
 * root (`[]`) comes first unless `includeRoot` is false.
 */
export function allPaths(
  value: unknown,
  { includeRoot = true }: { includeRoot?: boolean } = {},
): JsonPath[] {
  const out: JsonPath[] = [];
  const walk = (item: unknown, prefix: JsonPath) => {
    out.push(prefix);
    if (Array.isArray(item)) {
      item.forEach((child, index) => walk(child, [...prefix, index]));
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        walk(child, [...prefix, key]);
      }
    }
  };
  walk(value, []);
  return includeRoot ? out : out.slice(1);
}

/** A copy of the document with the value at `at` replaced; `[]` is the root. */
export function replaceAt(
  document: unknown,
  at: JsonPath,
  replacement: unknown,
): unknown {
  if (at.length === 0) return replacement;
  const copy = structuredClone(document) as any;
  let cursor = copy;
  for (const key of at.slice(0, -1)) cursor = cursor[key];
  cursor[at[at.length - 1]] = replacement;
  return copy;
}

/** The ReportParseError the parser throws for the document; fails otherwise. */
export function parseErrorOf(
  parser: Pick<ReportParser, 'parse'>,
  document: unknown,
): ReportParseError {
  try {
    parser.parse(document);
  } catch (error) {
    expect(error).toBeInstanceOf(ReportParseError);
    return error as ReportParseError;
  }
  throw new Error('expected parse to throw a ReportParseError');
}

/**
 * Documents of the formats auto-detection tries around a parser: small SARIF,
 * Trivy and Grype documents, then every corpus file in the given sub-folders.
 */
export function foreignDocuments(
  corpusSubdirs: string[],
): Array<[string, unknown]> {
  return [
    [
      'SARIF',
      {
        version: '2.1.0',
        $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
        runs: [{ tool: { driver: { name: 'CodeQL' } }, results: [] }],
      },
    ],
    [
      'Trivy',
      {
        SchemaVersion: 2,
        ArtifactName: 'alpine:3.10',
        ArtifactType: 'container_image',
        Results: [
          { Target: 'alpine:3.10 (alpine 3.10.2)', Vulnerabilities: [] },
        ],
      },
    ],
    [
      'Grype',
      {
        matches: [],
        source: { type: 'image', target: {} },
        distro: { name: 'alpine', version: '3.10.2' },
        descriptor: { name: 'grype', version: '0.96.0' },
      },
    ],
    ...corpusSubdirs.flatMap(subdir =>
      corpusFiles(subdir).map((file): [string, unknown] => [
        path.basename(file),
        readJson(file),
      ]),
    ),
  ];
}

/** Parse returns or throws ReportParseError (true); anything else is rethrown. */
export function parsesOrRejects(
  parser: Pick<ReportParser, 'parse'>,
  document: unknown,
): boolean {
  try {
    parser.parse(document);
    return true;
  } catch (error) {
    if (error instanceof ReportParseError) return true;
    throw error;
  }
}

/**
 * Property: for any JSON value, detect() gives a boolean, and parse() returns
 * or throws ReportParseError on the value and on each document `embeds` puts
 * it in (e.g. as the report's only result).
 */
export function arbitraryJsonProperty(
  parser: ReportParser,
  embeds: Array<(value: unknown) => unknown> = [],
) {
  return fc.property(fc.jsonValue(), document => {
    expect(typeof parser.detect(document)).toBe('boolean');
    expect(parsesOrRejects(parser, document)).toBe(true);
    for (const embed of embeds) {
      expect(parsesOrRejects(parser, embed(document))).toBe(true);
    }
  });
}

/**
 * Property: with any one value of the document (the root included) replaced
 * by arbitrary JSON, parse() returns or throws ReportParseError.
 */
export function replacedValueProperty(parser: ReportParser, document: unknown) {
  const paths = allPaths(document);
  return fc.property(fc.nat(), fc.jsonValue({ maxDepth: 3 }), (pick, value) => {
    const mutated = replaceAt(document, paths[pick % paths.length], value);
    expect(parsesOrRejects(parser, mutated)).toBe(true);
  });
}

/**
 * A check for properties: parse() returns findings whose identity key and
 * title are strings, or throws ReportParseError; anything else is rethrown.
 */
export function parseOrReportParseErrorCheck(
  parser: Pick<ReportParser, 'parse'>,
): (document: unknown) => void {
  return document => {
    try {
      const report = parser.parse(document);
      for (const finding of report.findings) {
        expect(typeof finding.identityKey).toBe('string');
        expect(typeof finding.title).toBe('string');
      }
    } catch (error) {
      if (!(error instanceof ReportParseError)) throw error;
    }
  };
}

/** The arbitrary, or (as often) any JSON value up to depth 2 in its place. */
export function maybe<T>(arbitrary: fc.Arbitrary<T>) {
  return fc.oneof(arbitrary, fc.jsonValue({ maxDepth: 2 }));
}
