import { Severity } from 'backstage-plugin-security-observations-common';
import { identityKey, normalizePath, purlWithoutVersion } from './identity';
import { JsonReader } from './read';
import { ReportParseError } from './ReportParseError';
import {
  scoreFromCvssVector,
  severityFromName,
  severityFromScore,
} from './severity';
import { ParsedFinding, ReportParser } from './types';

/**
 * Grype's native JSON report (`grype <target> -o json`): one finding per
 * `matches[]` entry. `ignoredMatches` are skipped. See docs/formats/grype.md.
 */

const LABEL = 'Grype JSON';

const SEVERITY_RANK: Severity[] = [
  'critical',
  'high',
  'medium',
  'low',
  'none',
  'unknown',
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The reader at `keys` below `reader`, holding `undefined` as soon as one
 * level is missing; a level that is present but not an object is an error.
 */
function optionalPath(reader: JsonReader, ...keys: string[]): JsonReader {
  let current = reader;
  for (const key of keys) {
    if (current.isMissing()) return current;
    current = current.get(key);
  }
  return current;
}

/** An optional string with empty and blank values treated as missing. */
function text(reader: JsonReader): string | undefined {
  const value = reader.optionalString()?.trim();
  return value ? value : undefined;
}

function strings(reader: JsonReader): string[] {
  return reader
    .optionalArray()
    .map(item => item.string().trim())
    .filter(item => item !== '');
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** Inline code for untrusted text, without the backticks that would end it. */
function code(value: string): string {
  return `\`${value.replace(/[`\r\n]/g, ' ')}\``;
}

/** Markdown list of http(s) links; anything else is left out. */
function links(urls: Array<string | undefined>): string | undefined {
  const safe = unique(
    urls.filter(
      (url): url is string =>
        url !== undefined && /^https?:\/\/[^\s<>]+$/i.test(url),
    ),
  );
  return safe.length > 0 ? safe.map(url => `- <${url}>`).join('\n') : undefined;
}

function paragraphs(parts: Array<string | undefined>): string {
  return parts.filter(part => part && part.trim() !== '').join('\n\n');
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A location path without the package's own version, so that an upgrade of
 * `/opt/app/libs/avro-1.9.2.jar` to `avro-1.11.3.jar` keeps the finding. The
 * version is only replaced where it stands as a whole token.
 */
function pathWithoutVersion(path: string, version: string | undefined): string {
  if (!version || version.length < 2 || !/\d/.test(version)) return path;
  const pattern = new RegExp(
    `(^|[/\\-_@=])${escapeRegExp(version)}(?=$|[/\\-_.+])`,
    'g',
  );
  return path.replace(pattern, '$1{version}');
}

/** `CWE-79` form, from strings or `{ cwe }` objects; others are dropped. */
function cweIds(reader: JsonReader): string[] {
  const values = reader.optionalArray().map(item => {
    if (isRecord(item.value)) return text(item.get('cwe'));
    return text(item);
  });
  return unique(
    values.flatMap(value => {
      const match = value ? /^(?:CWE-)?(\d+)$/i.exec(value) : null;
      return match ? [`CWE-${Number(match[1])}`] : [];
    }),
  );
}

/** Base scores of a `cvss[]` list, split into v3/v4 and v2. */
function cvssScores(
  cvss: JsonReader,
  into: { modern: number[]; legacy: number[] },
): void {
  for (const entry of cvss.optionalArray()) {
    const version = text(entry.get('version'));
    const score =
      optionalPath(entry, 'metrics', 'baseScore').optionalNumeric() ??
      scoreOf(text(entry.get('vector')));
    if (score === undefined) continue;
    if (version?.startsWith('2')) {
      into.legacy.push(score);
    } else {
      into.modern.push(score);
    }
  }
}

function scoreOf(vector: string | undefined): number | undefined {
  return vector === undefined ? undefined : scoreFromCvssVector(vector);
}

/** Grype's severity names; `Negligible` is low, as Grype's own tables treat it. */
function grypeSeverityName(name: string | undefined): Severity {
  return name?.trim().toLowerCase() === 'negligible'
    ? 'low'
    : severityFromName(name);
}

function matchSeverity(
  vulnerability: JsonReader,
  related: JsonReader[],
): Severity {
  const named = grypeSeverityName(text(vulnerability.get('severity')));
  if (named !== 'unknown') return named;

  const scores = { modern: [] as number[], legacy: [] as number[] };
  cvssScores(vulnerability.get('cvss'), scores);
  for (const item of related) cvssScores(item.get('cvss'), scores);
  const candidates = scores.modern.length > 0 ? scores.modern : scores.legacy;
  if (candidates.length > 0) {
    return severityFromScore(Math.max(...candidates));
  }

  const relatedNames = related
    .map(item => grypeSeverityName(text(item.get('severity'))))
    .filter(severity => severity !== 'unknown');
  if (relatedNames.length > 0) {
    return relatedNames.sort(
      (a, b) => SEVERITY_RANK.indexOf(a) - SEVERITY_RANK.indexOf(b),
    )[0];
  }
  return 'unknown';
}

const FIX_STATES: Record<string, string> = {
  fixed: 'fixed',
  'not-fixed': 'no fix available yet',
  'wont-fix': 'the vendor will not fix it',
  unknown: 'unknown',
};

/** The object without its undefined properties; undefined when none is left. */
function compact<T extends object>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}

/** The scanned image's name when the source is an image, else undefined. */
function sourceImage(root: JsonReader): string | undefined {
  const source = root.get('source');
  if (!source.isObject()) return undefined;
  const type = text(source.get('type'));
  if (type !== undefined && type !== 'image') return undefined;
  const target = source.get('target');
  if (typeof target.value === 'string') return text(target);
  if (target.isObject()) return text(target.get('userInput'));
  return undefined;
}

function parseMatch(match: JsonReader, image: string | undefined) {
  const vulnerability = match.get('vulnerability');
  const id = vulnerability.get('id').string().trim();
  if (id === '') {
    throw new ReportParseError(
      LABEL,
      `${vulnerability.path}.id`,
      'expected a non-empty string',
    );
  }
  const related = match.get('relatedVulnerabilities').optionalArray();
  const relatedIds = related.map(item => item.get('id').string().trim());
  const advisoryIds = vulnerability
    .get('advisories')
    .optionalArray()
    .map(item => text(item.get('id')));

  const artifact = match.get('artifact');
  const name = artifact.get('name').string().trim();
  const version = text(artifact.get('version'));
  const type = text(artifact.get('type'));
  const purl = text(artifact.get('purl'));
  const firstPath = artifact
    .get('locations')
    .optionalArray()
    .map(location => text(location.get('path')))
    .find(path => path !== undefined);
  const file = firstPath ? normalizePath(firstPath) : undefined;

  const fix = vulnerability.get('fix');
  const fixState = text(optionalPath(fix, 'state'));
  const fixVersions = strings(optionalPath(fix, 'versions'));
  const fixedVersion = fixState === 'fixed' ? fixVersions[0] : undefined;

  const description =
    text(vulnerability.get('description')) ??
    related
      .map(item => text(item.get('description')))
      .find(value => value !== undefined);

  let fixLine: string | undefined;
  if (fixState === 'fixed' && fixVersions.length > 0) {
    fixLine = `- **Fixed in:** ${fixVersions.map(code).join(', ')}`;
  } else if (fixState) {
    fixLine = `- **Fix:** ${FIX_STATES[fixState] ?? code(fixState)}`;
  }
  const facts = [
    `- **Package:** ${code(name)}${version ? ` ${code(version)}` : ''}${
      type ? ` (${code(type)})` : ''
    }`,
    fixLine,
    file && `- **Location:** ${code(file)}`,
  ]
    .filter(Boolean)
    .join('\n');

  const packageKey = purl ? purlWithoutVersion(purl) : `${type ?? ''}/${name}`;
  const finding: Omit<ParsedFinding, 'identityKey'> = {
    title: `${id} in ${name}${version ? ` ${version}` : ''}`,
    description: paragraphs([
      description,
      facts,
      links([
        ...strings(vulnerability.get('urls')),
        text(vulnerability.get('dataSource')),
        ...related.map(item => text(item.get('dataSource'))),
      ]),
    ]),
    severity: matchSeverity(vulnerability, related),
    status: 'open',
    vulnerabilityIds: unique(
      [id, ...relatedIds, ...advisoryIds].filter(
        (value): value is string => !!value,
      ),
    ),
    cwes: cweIds(vulnerability.get('cwes')),
    package: compact({ purl, name, version, fixedVersion }),
    location: compact({ image, file }),
  };
  return {
    identityParts: [
      'vulnerability',
      id,
      packageKey,
      file ? pathWithoutVersion(file, version) : undefined,
    ],
    finding,
  };
}

export const grypeParser: ReportParser = {
  format: 'grype',
  label: LABEL,

  detect(document: unknown): boolean {
    return (
      isRecord(document) &&
      Array.isArray(document.matches) &&
      ((isRecord(document.descriptor) &&
        document.descriptor.name === 'grype') ||
        isRecord(document.source))
    );
  },

  parse(document: unknown) {
    const root = new JsonReader(LABEL, document);
    const matches = root.get('matches').array();
    const image = sourceImage(root);

    const seen = new Map<string, number>();
    const findings: ParsedFinding[] = matches.map(match => {
      const { identityParts, finding } = parseMatch(match, image);
      // The same match twice (one package reported at two locations that
      // normalize alike) gets an ordinal rather than a colliding key.
      const base = identityKey(...identityParts);
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      return {
        identityKey:
          count === 1 ? base : identityKey(...identityParts, `#${count}`),
        ...finding,
      };
    });

    return { format: 'grype', scanner: 'grype', findings };
  },
};
