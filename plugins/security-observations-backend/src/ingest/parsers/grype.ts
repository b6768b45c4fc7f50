import {
  SEVERITIES,
  Severity,
} from 'backstage-plugin-security-observations-common';
import { CvssScores, highestCvssScore, scoreFromOptionalVector } from './cvss';
import {
  normalizePath,
  pathWithoutVersion,
  purlWithoutVersion,
  uniqueKey,
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
import { severityFromName, severityFromScore } from './severity';
import { ParsedFinding, ReportReading, reportParser } from './types';

/**
 * Grype's native JSON report (`grype <target> -o json`): one finding per
 * `matches[]` entry. `ignoredMatches` are skipped. See docs/formats/grype.md.
 */

const LABEL = 'Grype JSON';

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
function cvssScores(cvss: JsonReader, into: CvssScores): void {
  for (const entry of cvss.optionalArray()) {
    const version = text(entry.get('version'));
    const score =
      optionalPath(entry, 'metrics', 'baseScore').optionalNumeric() ??
      scoreFromOptionalVector(text(entry.get('vector')));
    if (score === undefined) continue;
    if (version?.startsWith('2')) {
      into.legacy.push(score);
    } else {
      into.modern.push(score);
    }
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
): Severity {
  const named = grypeSeverityName(text(vulnerability.get('severity')));
  if (named !== 'unknown') return named;

  const scores: CvssScores = { modern: [], legacy: [] };
  cvssScores(vulnerability.get('cvss'), scores);
  for (const item of related) cvssScores(item.get('cvss'), scores);
  const highest = highestCvssScore(scores);
  if (highest !== undefined) return severityFromScore(highest);

  const relatedNames = related
    .map(item => grypeSeverityName(text(item.get('severity'))))
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
  const id = vulnerability.get('id').nonBlankString();
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

  read(document: unknown): ReportReading {
    const root = new JsonReader(LABEL, document);
    const image = sourceImage(root);
    return {
      format: 'grype',
      scanner: 'grype',
      findings: (function* findings(): Generator<ParsedFinding> {
        const seen = new Map<string, number>();
        for (const match of root.get('matches').items()) {
          const { identityParts, finding } = parseMatch(match, image);
          // The same match twice (one package reported at two locations that
          // normalize alike) gets an ordinal rather than a colliding key.
          yield { identityKey: uniqueKey(seen, identityParts), ...finding };
        }
      })(),
    };
  },
});
