import { packagePurl } from './packagePurl';
import {
  SEVERITIES,
  Severity,
} from 'backstage-plugin-security-observations-common';
import { normalizePath, identityKey } from './identity';
import { mdLink } from './markdown';
import { isRecord, JsonReader } from './read';
import { ReportParseError } from './ReportParseError';
import { semgrepParser } from './semgrep';
import {
  scoreFromCvssVector,
  severityFromName,
  severityFromScore,
} from './severity';
import { ParsedFinding, ReportReading, reportParser } from './types';

const LABEL = 'OSV-Scanner JSON';

/** OSV ecosystems to purl types, for the package's purl. */
const PURL_TYPES = new Map<string, string>([
  ['npm', 'npm'],
  ['PyPI', 'pypi'],
  ['Go', 'golang'],
  ['Maven', 'maven'],
  ['crates.io', 'cargo'],
  ['RubyGems', 'gem'],
  ['NuGet', 'nuget'],
  ['Packagist', 'composer'],
  ['Pub', 'pub'],
  ['Hex', 'hex'],
]);

interface OsvRange {
  ecosystem?: string;
  name?: string;
  fixed: string[];
}

interface OsvVulnerability {
  id: string;
  aliases: string[];
  summary?: string;
  details?: string;
  vectors: string[];
  databaseSeverity?: string;
  cwes: string[];
  affected: OsvRange[];
  references: Array<{ type?: string; url: string }>;
}

function detect(document: unknown): boolean {
  if (!isRecord(document) || !Array.isArray(document.results)) return false;
  // Semgrep JSON also has a top-level `results` array.
  if (semgrepParser.detect(document)) return false;
  const results: unknown[] = document.results;
  if ('experimental_config' in document) return true;
  if (results.length === 0) {
    return !(
      'errors' in document ||
      'paths' in document ||
      'version' in document
    );
  }
  return results.every(
    result => isRecord(result) && ('packages' in result || 'source' in result),
  );
}

function strings(reader: JsonReader): string[] {
  return reader.optionalArray().map(item => item.string());
}

/** A string inside free-form `database_specific`, which is never an error. */
function looseString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function readVulnerability(vulnerability: JsonReader): OsvVulnerability {
  const id = vulnerability.get('id').string();
  const vectors = vulnerability
    .get('severity')
    .optionalArray()
    .flatMap(entry => {
      const type = entry.get('type').optionalString();
      const score = entry.get('score').optionalString();
      return type?.toUpperCase().startsWith('CVSS') && score ? [score] : [];
    });
  const databaseSpecific = vulnerability.get('database_specific').value;
  const databaseSeverity = isRecord(databaseSpecific)
    ? looseString(databaseSpecific.severity)
    : undefined;
  const cweIds =
    isRecord(databaseSpecific) && Array.isArray(databaseSpecific.cwe_ids)
      ? databaseSpecific.cwe_ids
      : [];
  const cwes = cweIds.flatMap(cwe => {
    const match = typeof cwe === 'string' ? cwe.match(/CWE-(\d+)/i) : null;
    return match ? [`CWE-${match[1]}`] : [];
  });
  const affected = vulnerability
    .get('affected')
    .optionalArray()
    .map(entry => {
      const affectedPackage = entry.get('package');
      const fixed = entry
        .get('ranges')
        .optionalArray()
        .filter(range => range.get('type').optionalString() !== 'GIT')
        .flatMap(range =>
          range
            .get('events')
            .optionalArray()
            .flatMap(event => {
              const version = event.get('fixed').optionalString();
              return version ? [version] : [];
            }),
        );
      return {
        ecosystem: affectedPackage.isMissing()
          ? undefined
          : affectedPackage.get('ecosystem').optionalString(),
        name: affectedPackage.isMissing()
          ? undefined
          : affectedPackage.get('name').optionalString(),
        fixed,
      };
    });
  const references = vulnerability
    .get('references')
    .optionalArray()
    .flatMap(reference => {
      const url = reference.get('url').optionalString();
      return url ? [{ type: reference.get('type').optionalString(), url }] : [];
    });
  return {
    id,
    aliases: strings(vulnerability.get('aliases')),
    summary: vulnerability.get('summary').optionalString()?.trim() || undefined,
    details: vulnerability.get('details').optionalString()?.trim() || undefined,
    vectors,
    databaseSeverity,
    cwes,
    affected,
    references,
  };
}

/** `max_severity` is a score as a string, or empty when nothing is scored. */
function maxSeverityScore(reader: JsonReader): number | undefined {
  const value = reader.value;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    if (value.trim() === '') return undefined;
    const score = Number(value);
    return Number.isFinite(score) ? score : undefined;
  }
  throw new ReportParseError(LABEL, reader.path, 'expected a numeric string');
}

function severityOf(
  maxSeverity: number | undefined,
  vulnerabilities: OsvVulnerability[],
): Severity {
  if (maxSeverity !== undefined) return severityFromScore(maxSeverity);
  const scores = vulnerabilities
    .flatMap(vulnerability => vulnerability.vectors)
    .map(scoreFromCvssVector)
    .filter((score): score is number => score !== undefined);
  if (scores.length > 0) return severityFromScore(Math.max(...scores));
  const named = vulnerabilities
    .map(vulnerability => severityFromName(vulnerability.databaseSeverity))
    .filter(severity => severity !== 'unknown')
    .sort((a, b) => SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b));
  return named[0] ?? 'unknown';
}

function sameEcosystem(affected: string | undefined, own: string | undefined) {
  if (!affected || !own) return true;
  const a = affected.toLowerCase();
  const b = own.toLowerCase();
  return a === b || a.startsWith(`${b}:`) || b.startsWith(`${a}:`);
}

/** The `fixed` events of ranges for this package; several are joined. */
function fixedVersionOf(
  vulnerabilities: OsvVulnerability[],
  name: string,
  ecosystem: string | undefined,
): string | undefined {
  const fixed = new Set<string>();
  for (const vulnerability of vulnerabilities) {
    for (const affected of vulnerability.affected) {
      if (
        affected.name?.toLowerCase() === name.toLowerCase() &&
        sameEcosystem(affected.ecosystem, ecosystem)
      ) {
        affected.fixed.forEach(version => fixed.add(version));
      }
    }
  }
  return fixed.size > 0 ? [...fixed].join(', ') : undefined;
}

function purlOf(
  ecosystem: string | undefined,
  name: string,
  version: string | undefined,
): string | undefined {
  const type = ecosystem ? PURL_TYPES.get(ecosystem) : undefined;
  if (!type) return undefined;
  return packagePurl(type, name, version);
}

function describe(vulnerabilities: OsvVulnerability[]): string {
  const parts: string[] = [];
  const details = vulnerabilities.find(v => v.details)?.details;
  if (details) parts.push(details);
  const seen = new Set<string>();
  const links: string[] = [];
  for (const vulnerability of vulnerabilities) {
    for (const { type, url } of vulnerability.references) {
      if (seen.has(url)) continue;
      seen.add(url);
      links.push(`- ${type ? `${type}: ` : ''}${mdLink(url, url)}`);
    }
  }
  if (links.length > 0) parts.push(`**References:**\n\n${links.join('\n')}`);
  return parts.join('\n\n');
}

function read(document: unknown): ReportReading {
  const root = new JsonReader(LABEL, document);
  return { format: 'osv', scanner: 'osv-scanner', findings: findingsOf(root) };
}

function* findingsOf(root: JsonReader): Generator<ParsedFinding> {
  for (const result of root.get('results').items()) {
    const source = result.get('source');
    const sourcePath = source.isMissing()
      ? undefined
      : source.get('path').optionalString();
    const file = sourcePath ? normalizePath(sourcePath) : undefined;

    for (const entry of result.get('packages').optionalArray()) {
      const packageReader = entry.get('package');
      const nameReader = packageReader.get('name');
      const name =
        nameReader.optionalString() ||
        packageReader.get('commit').optionalString() ||
        nameReader.string();
      if (!name) {
        throw new ReportParseError(LABEL, nameReader.path, 'must not be empty');
      }
      const version =
        packageReader.get('version').optionalString() || undefined;
      const ecosystem =
        packageReader.get('ecosystem').optionalString() || undefined;
      const purl =
        packageReader.get('purl').optionalString() ||
        purlOf(ecosystem, name, version);

      const vulnerabilities = entry
        .get('vulnerabilities')
        .optionalArray()
        .map(readVulnerability);
      const byId = new Map(vulnerabilities.map(v => [v.id, v]));

      const groups = entry
        .get('groups')
        .optionalArray()
        .map(group => {
          const idsReader = group.get('ids');
          const ids = [...new Set(idsReader.array().map(id => id.string()))]
            .filter(id => id !== '')
            .sort();
          if (ids.length === 0) {
            throw new ReportParseError(
              LABEL,
              idsReader.path,
              'expected at least one id',
            );
          }
          return {
            ids,
            aliases: strings(group.get('aliases')),
            maxSeverity: maxSeverityScore(group.get('max_severity')),
          };
        });
      const units =
        groups.length > 0
          ? groups
          : vulnerabilities.map(v => ({
              ids: [v.id],
              aliases: [] as string[],
              maxSeverity: undefined,
            }));

      for (const unit of units) {
        const primaryId = unit.ids[0];
        const members = unit.ids
          .map(id => byId.get(id))
          .filter((v): v is OsvVulnerability => v !== undefined);
        // The primary's own text first.
        members.sort(
          (a, b) => Number(b.id === primaryId) - Number(a.id === primaryId),
        );
        const vulnerabilityIds = [
          ...new Set([
            ...unit.ids,
            ...unit.aliases,
            ...members.flatMap(v => v.aliases),
          ]),
        ].filter(id => id !== '');
        const summary = members.find(v => v.summary)?.summary;
        const fixedVersion = fixedVersionOf(members, name, ecosystem);
        yield {
          identityKey: identityKey(primaryId, ecosystem, name, file),
          title: `${primaryId} in ${name}${version ? ` ${version}` : ''}${
            summary ? `: ${summary}` : ''
          }`,
          description: describe(members),
          severity: severityOf(unit.maxSeverity, members),
          status: 'open',
          vulnerabilityIds,
          cwes: [...new Set(members.flatMap(v => v.cwes))],
          package: {
            ...(purl ? { purl } : {}),
            name,
            ...(version ? { version } : {}),
            ...(fixedVersion ? { fixedVersion } : {}),
          },
          ...(file ? { location: { file } } : {}),
        };
      }
    }
  }
}

/** `osv-scanner --format json` (v1 and v2). */
export const osvParser = reportParser({
  format: 'osv',
  label: LABEL,
  detect,
  claims: document =>
    isRecord(document) &&
    'results' in document &&
    'experimental_config' in document,
  read,
});
