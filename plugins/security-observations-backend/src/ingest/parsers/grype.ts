import {
  SEVERITIES,
  Severity,
} from 'backstage-plugin-security-observations-common';
import { CvssScores, highestCvssScore } from './cvss';
import {
  normalizePath,
  pathWithoutVersion,
  purlWithoutVersion,
  identityKey,
} from './identity';
import { code, links, paragraphs } from './markdown';
import {
  compact,
  isRecord,
  JsonReader,
  nonEmptyStrings as strings,
  optionalPath,
  optionalText as text,
  unique,
} from './read';
import { ReportParseError } from './ReportParseError';
import {
  scoreFromCvssVector,
  severityFromName,
  severityFromScore,
} from './severity';
import {
  ParsedFinding,
  ReportReading,
  reportParser,
  ReportWarning,
} from './types';

/**
 * Grype's native JSON report (`grype <target> -o json`): one finding per
 * `matches[]` entry. `ignoredMatches` are skipped. Grype versions write the
 * optional parts differently (CVSS as `cvss-v2`/`cvss-v3` objects or a
 * `cvss[]` list, KEV, EPSS, CWEs added over time): an optional part that
 * cannot be read is skipped with a warning, never a reason to refuse the
 * report. See docs/formats/grype.md.
 */

const LABEL = 'Grype JSON';

/**
 * Reads the optional parts of a report: what cannot be read is skipped, and
 * a warning names its JSON path. Only the match's `vulnerability.id` and
 * `artifact.name` (and the shape that holds them) are required.
 */
class OptionalParts {
  readonly warnings: ReportWarning[] = [];

  read<T>(what: string, read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ReportParseError)) throw error;
      this.warnings.push({
        path: error.path,
        message: `${what} skipped: ${error.problem}`,
      });
      return undefined;
    }
  }

  /** An optional trimmed string; blank is missing. */
  text(what: string, reader: JsonReader): string | undefined {
    return this.read(what, () => text(reader));
  }

  /** The objects of an optional array; other items are skipped. */
  objects(what: string, reader: JsonReader): JsonReader[] {
    const items = this.read(what, () => reader.optionalArray()) ?? [];
    return items.filter(item => {
      if (item.isObject()) return true;
      this.warnings.push({
        path: item.path,
        message: `${what} skipped: expected an object`,
      });
      return false;
    });
  }

  /** An optional array of strings, without the blank ones. */
  strings(what: string, reader: JsonReader): string[] {
    return this.read(what, () => strings(reader)) ?? [];
  }
}

/** `CWE-79` form, from strings or `{ cwe }` objects; others are dropped. */
function cweIds(lists: JsonReader[], parts: OptionalParts): string[] {
  const values = lists.flatMap(list =>
    (parts.read('CWE list', () => list.optionalArray()) ?? []).map(item =>
      parts.read('CWE', () =>
        isRecord(item.value) ? text(item.get('cwe')) : text(item),
      ),
    ),
  );
  return unique(
    values.flatMap(value => {
      const match = value ? /^(?:CWE-)?(\d+)$/i.exec(value) : null;
      return match ? [`CWE-${Number(match[1])}`] : [];
    }),
  );
}

/** The CVSS version a vector names; a vector without a prefix is v2. */
function vectorVersion(vector: string): string {
  return /^CVSS:(\d+(?:\.\d+)?)\//i.exec(vector)?.[1] ?? '2.0';
}

/**
 * A base score from a record's score and vector: a positive score wins;
 * without one (a record may carry only a vector, and a missing score reads
 * as 0), the vector's score, then the 0.
 */
function baseScore(
  score: number | undefined,
  vector: string | undefined,
): number | undefined {
  if (score !== undefined && score > 0) return score;
  const fromVector = vector ? scoreFromCvssVector(vector) : undefined;
  return fromVector ?? score;
}

function addScore(
  into: CvssScores,
  score: number | undefined,
  version: string | undefined,
): void {
  if (score === undefined) return;
  if (version?.startsWith('2')) {
    into.legacy.push(score);
  } else {
    into.modern.push(score);
  }
}

/**
 * Base scores of a vulnerability record, split into v3/v4 and v2: the
 * `cvss[]` list (Grype 0.7+), or the `cvss-v2`/`cvss-v3` objects of the
 * first Grype releases.
 */
function cvssScores(
  record: JsonReader,
  into: CvssScores,
  parts: OptionalParts,
): void {
  for (const entry of parts.objects('CVSS entry', record.get('cvss'))) {
    const vector = parts.text('CVSS vector', entry.get('vector'));
    const score = parts.read('CVSS score', () =>
      optionalPath(entry, 'metrics', 'baseScore').optionalNumeric(),
    );
    const version =
      parts.text('CVSS version', entry.get('version')) ??
      (vector ? vectorVersion(vector) : undefined);
    addScore(into, baseScore(score, vector), version);
  }
  for (const [key, version] of [
    ['cvss-v3', '3'],
    ['cvss-v2', '2'],
  ] as const) {
    const legacy = record.get(key);
    if (legacy.isMissing()) continue;
    parts.read(`${key} score`, () => {
      const vector = text(legacy.get('vector'));
      const score = legacy.get('base-score').optionalNumeric();
      addScore(into, baseScore(score, vector), version);
    });
  }
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
  parts: OptionalParts,
): Severity {
  const named = grypeSeverityName(
    parts.text('severity', vulnerability.get('severity')),
  );
  if (named !== 'unknown') return named;

  const scores: CvssScores = { modern: [], legacy: [] };
  cvssScores(vulnerability, scores, parts);
  for (const item of related) cvssScores(item, scores, parts);
  const highest = highestCvssScore(scores);
  if (highest !== undefined) return severityFromScore(highest);

  const relatedNames = related
    .map(item =>
      grypeSeverityName(parts.text('severity', item.get('severity'))),
    )
    .filter(severity => severity !== 'unknown');
  if (relatedNames.length > 0) {
    return relatedNames.sort(
      (a, b) => SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b),
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

/**
 * Lines for the CISA KEV entries (`knownExploited[]`) of the records: which
 * CVE, since when, whether ransomware uses it. They do not change once
 * listed, unlike EPSS and `risk`, which are not read (see the docs).
 */
function knownExploitedLines(
  records: JsonReader[],
  parts: OptionalParts,
): string[] {
  const lines = new Set<string>();
  for (const record of records) {
    const kev = record.get('knownExploited');
    if (kev.value === true) {
      lines.add('- **Known exploited:** listed in the CISA KEV catalog');
      continue;
    }
    if (kev.value === false) continue;
    for (const entry of parts.objects('KEV entry', kev)) {
      const cve = parts.text('KEV CVE', entry.get('cve'));
      const added = parts.text('KEV date', entry.get('dateAdded'));
      const ransomware = parts.text(
        'KEV ransomware use',
        entry.get('knownRansomwareCampaignUse'),
      );
      lines.add(
        `- **Known exploited:** ${
          cve ? `${code(cve)} is ` : ''
        }listed in the CISA KEV catalog${added ? ` since ${added}` : ''}${
          ransomware ? `; known ransomware use: ${ransomware}` : ''
        }`,
      );
    }
  }
  return [...lines];
}

/** The scanned image's name when the source is an image, else undefined. */
function sourceImage(
  root: JsonReader,
  parts: OptionalParts,
): string | undefined {
  const source = root.get('source');
  if (!source.isObject()) return undefined;
  const type = parts.text('source type', source.get('type'));
  if (type !== undefined && type !== 'image') return undefined;
  const target = source.get('target');
  if (typeof target.value === 'string') return text(target);
  if (target.isObject()) {
    return parts.text('image name', target.get('userInput'));
  }
  return undefined;
}

/** Related records with an id; one whose id cannot be read is skipped. */
function relatedRecords(match: JsonReader, parts: OptionalParts) {
  return parts
    .objects('related vulnerability', match.get('relatedVulnerabilities'))
    .flatMap(record => {
      const id = parts.read('related vulnerability', () =>
        record.get('id').string().trim(),
      );
      return id ? [{ id, record }] : [];
    });
}

function parseMatch(
  match: JsonReader,
  image: string | undefined,
  parts: OptionalParts,
) {
  const vulnerability = match.get('vulnerability');
  const id = vulnerability.get('id').nonBlankString();
  const artifact = match.get('artifact');
  const name = artifact.get('name').string().trim();

  const related = relatedRecords(match, parts);
  const relatedReaders = related.map(item => item.record);
  const advisoryIds = parts
    .objects('advisory', vulnerability.get('advisories'))
    .map(item => parts.text('advisory id', item.get('id')));

  const version = parts.text('package version', artifact.get('version'));
  const type = parts.text('package type', artifact.get('type'));
  const purl = parts.text('purl', artifact.get('purl'));
  const firstPath = parts
    .objects('location', artifact.get('locations'))
    .map(location => parts.text('location path', location.get('path')))
    .find(path => path !== undefined);
  const file = firstPath ? normalizePath(firstPath) : undefined;

  const fix = vulnerability.get('fix');
  const fixState = parts.read('fix state', () =>
    text(optionalPath(fix, 'state')),
  );
  const fixVersions =
    parts.read('fix versions', () => strings(optionalPath(fix, 'versions'))) ??
    [];
  // The first Grype releases wrote one `fixed-in-version` instead.
  const fixedInVersion = parts.text(
    'fixed-in-version',
    vulnerability.get('fixed-in-version'),
  );
  let fixedVersion: string | undefined;
  if (fixState === 'fixed') {
    fixedVersion = fixVersions[0];
  } else if (!fixState) {
    fixedVersion = fixedInVersion;
  }

  const description =
    parts.text('description', vulnerability.get('description')) ??
    relatedReaders
      .map(item => parts.text('description', item.get('description')))
      .find(value => value !== undefined);

  let fixLine: string | undefined;
  if (fixState === 'fixed' && fixVersions.length > 0) {
    fixLine = `- **Fixed in:** ${fixVersions.map(code).join(', ')}`;
  } else if (fixState) {
    fixLine = `- **Fix:** ${FIX_STATES[fixState] ?? code(fixState)}`;
  } else if (fixedInVersion) {
    fixLine = `- **Fixed in:** ${code(fixedInVersion)}`;
  }
  const facts = [
    `- **Package:** ${code(name)}${version ? ` ${code(version)}` : ''}${
      type ? ` (${code(type)})` : ''
    }`,
    fixLine,
    file && `- **Location:** ${code(file)}`,
    ...knownExploitedLines([vulnerability, ...relatedReaders], parts),
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
        ...parts.strings('urls', vulnerability.get('urls')),
        ...parts.strings('links', vulnerability.get('links')),
        parts.text('data source', vulnerability.get('dataSource')),
        ...relatedReaders.map(item =>
          parts.text('data source', item.get('dataSource')),
        ),
      ]),
    ]),
    severity: matchSeverity(vulnerability, relatedReaders, parts),
    status: 'open',
    vulnerabilityIds: unique(
      [id, ...related.map(item => item.id), ...advisoryIds].filter(
        (value): value is string => !!value,
      ),
    ),
    cwes: cweIds(
      [vulnerability, ...relatedReaders].map(record => record.get('cwes')),
      parts,
    ),
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

export const grypeParser = reportParser({
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

  claims(document: unknown): boolean {
    return (
      isRecord(document) &&
      'matches' in document &&
      ((isRecord(document.descriptor) &&
        document.descriptor.name === 'grype') ||
        'source' in document)
    );
  },

  read(document: unknown): ReportReading {
    const root = new JsonReader(LABEL, document);
    const parts = new OptionalParts();
    const image = sourceImage(root, parts);
    return {
      format: 'grype',
      scanner: 'grype',
      // Keys may repeat (one match listed twice, one package at two
      // locations that normalize alike): normalizeFindings keeps an exact
      // repeat once and numbers the others.
      findings: (function* findings(): Generator<ParsedFinding> {
        for (const match of root.get('matches').items()) {
          const { identityParts, finding } = parseMatch(match, image, parts);
          yield { identityKey: identityKey(...identityParts), ...finding };
        }
      })(),
      warnings: parts.warnings,
    };
  },
});
