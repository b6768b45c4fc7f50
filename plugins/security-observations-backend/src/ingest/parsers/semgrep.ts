import { packagePurl } from './packagePurl';
import { Severity } from 'backstage-plugin-security-observations-common';
import {
  digest,
  normalizePath,
  normalizeSnippet,
  identityKey,
} from './identity';
import { code, fenced, mdLink } from './markdown';
import { truncateText } from '../storableText';
import { isRecord, JsonReader, optionalText } from './read';
import { ReportParseError } from './ReportParseError';
import { severityFromName } from './severity';
import {
  ParsedFinding,
  ReportReading,
  ReportWarning,
  reportParser,
} from './types';

const LABEL = 'Semgrep JSON';
const REQUIRES_LOGIN = 'requires login';
const TITLE_MAX = 200;
/** Hard-coded password, credentials and key CWEs: rules that find secrets. */
const SECRET_CWES = new Set(['CWE-259', 'CWE-321', 'CWE-798']);

/**
 * A Semgrep document: `results` whose first item has `check_id`, or no
 * results and Semgrep's own top-level `errors`, `paths` or `version`.
 * OSV-Scanner JSON also has `results`; `osv.ts` rejects what this accepts
 * by asking this parser first.
 */
function detect(document: unknown): boolean {
  if (!isRecord(document) || !Array.isArray(document.results)) return false;
  const results: unknown[] = document.results;
  if (results.length > 0) {
    return isRecord(results[0]) && 'check_id' in results[0];
  }
  return (
    Array.isArray(document.errors) ||
    isRecord(document.paths) ||
    typeof document.version === 'string'
  );
}

/** A metadata value that is a string or a list of strings. */
function stringList(reader: JsonReader): string[] {
  if (reader.isMissing()) return [];
  if (typeof reader.value === 'string') return [reader.value];
  return reader.array().map(item => item.string());
}

/** First line, then first sentence, at most 200 characters. */
function titleOf(message: string, checkId: string): string {
  const firstLine =
    message
      .split(/\r?\n/)
      .map(line => line.trim())
      .find(line => line !== '') ?? '';
  const sentence = firstLine.match(/^(.*?[.!?])(?=\s|$)/)?.[1] ?? firstLine;
  if (!sentence) {
    const segments = checkId.split('.').filter(segment => segment !== '');
    return segments[segments.length - 1] ?? checkId;
  }
  return truncateText(sentence, TITLE_MAX);
}

function usable(text: string | undefined): text is string {
  return !!text && text.trim() !== '' && text.trim() !== REQUIRES_LOGIN;
}

function read(document: unknown): ReportReading {
  const root = new JsonReader(LABEL, document);
  const warnings: ReportWarning[] = [];
  return {
    format: 'semgrep',
    scanner: 'semgrep',
    findings: findingsOf(root, warnings),
    warnings,
  };
}

/**
 * The SAST results as they come; the Supply Chain results after them, one
 * finding per vulnerable package (the results of one package, one per place
 * that reaches it, are gathered first: they are few, and kept in memory).
 */
function* findingsOf(
  root: JsonReader,
  warnings: ReportWarning[],
): Generator<ParsedFinding> {
  const packages = new Map<string, VulnerablePackage>();
  for (const result of root.get('results').items()) {
    const extra = result.get('extra');
    const scaInfo = extra.isObject() ? extra.get('sca_info') : undefined;
    if (scaInfo && !scaInfo.isMissing()) {
      addSupplyChainResult(packages, result, scaInfo, warnings);
    } else {
      yield codeFinding(result);
    }
  }
  for (const vulnerable of packages.values()) {
    yield packageFinding(vulnerable);
  }
}

/** The CWE ids (`CWE-79` form) of a rule's metadata. */
function cwesOf(metadata: JsonReader): string[] {
  const cweTexts = metadata.isMissing() ? [] : stringList(metadata.get('cwe'));
  return [
    ...new Set(
      cweTexts.flatMap(text => {
        const match = text.match(/CWE-(\d+)/i);
        return match ? [`CWE-${match[1]}`] : [];
      }),
    ),
  ];
}

/** The rule's link (or its id as code) and its references, as paragraphs. */
function ruleParts(checkId: string, metadata: JsonReader): string[] {
  const hasMetadata = !metadata.isMissing();
  const references = hasMetadata ? stringList(metadata.get('references')) : [];
  const source = hasMetadata
    ? metadata.get('source').optionalString()
    : undefined;
  const owasp = hasMetadata ? stringList(metadata.get('owasp')) : [];
  const parts = [
    `**Rule:** ${
      source?.trim()
        ? mdLink(checkId, source)
        : `\`${checkId.replace(/`/g, '')}\``
    }`,
  ];
  if (owasp.length > 0) parts.push(`**OWASP:** ${owasp.join('; ')}`);
  const links = references
    .map(url => url.trim())
    .filter((url, index, all) => url !== '' && all.indexOf(url) === index)
    .map(url => `- ${mdLink(url, url)}`);
  if (links.length > 0) parts.push(`**References:**\n\n${links.join('\n')}`);
  return parts;
}

/** A Semgrep Code result (SAST): a rule matched code. */
function codeFinding(result: JsonReader): ParsedFinding {
  const checkId = result.get('check_id').string();
  const file = normalizePath(result.get('path').string());
  const start = result.get('start');
  const startLine = start.get('line').number();
  const end = result.get('end');
  const endLine = end.isMissing()
    ? undefined
    : end.get('line').optionalNumber();

  const extra = result.get('extra');
  const message = extra.get('message').optionalString()?.trim() ?? '';
  const severity = severityFromName(extra.get('severity').optionalString());
  const fingerprint = extra.get('fingerprint').optionalString();
  const lines = extra.get('lines').optionalString();
  const fix = extra.get('fix').optionalString();

  const metadata = extra.get('metadata');
  const cwes = cwesOf(metadata);

  const parts: string[] = [];
  if (message) parts.push(message);
  parts.push(...ruleParts(checkId, metadata));
  // A secrets rule's matched code is the secret: it is not shown.
  const findsSecrets =
    /(^|[.-])secrets?([.-]|$)/i.test(checkId) ||
    cwes.some(cwe => SECRET_CWES.has(cwe));
  if (findsSecrets) {
    parts.push('_The matched code is not shown: this rule finds secrets._');
  } else {
    if (usable(lines)) parts.push(fenced(lines));
    if (fix?.trim()) parts.push(`**Suggested fix:**\n\n${fenced(fix)}`);
  }

  // Semgrep's fingerprint ignores line numbers; without one (it says
  // "requires login" when logged out) the matched code stands in.
  let anchor: string | number;
  if (usable(fingerprint)) {
    anchor = fingerprint.trim();
  } else if (usable(lines)) {
    anchor = digest(normalizeSnippet(lines));
  } else {
    anchor = startLine;
  }

  return {
    identityKey: identityKey(checkId, file, anchor),
    title: titleOf(message, checkId),
    description: parts.join('\n\n'),
    severity,
    status: 'open',
    ruleId: checkId,
    vulnerabilityIds: [],
    cwes,
    location: {
      file,
      startLine,
      ...(endLine !== undefined ? { endLine } : {}),
    },
  };
}

/** Semgrep Supply Chain ecosystems to purl types. */
const PURL_TYPES = new Map<string, string>([
  ['npm', 'npm'],
  ['pypi', 'pypi'],
  ['gem', 'gem'],
  ['gomod', 'golang'],
  ['cargo', 'cargo'],
  ['maven', 'maven'],
  ['composer', 'composer'],
  ['nuget', 'nuget'],
  ['pub', 'pub'],
  ['hex', 'hex'],
  ['mix', 'hex'],
  ['cocoapods', 'cocoapods'],
]);
/** Places that reach a package listed in its description; the rest are counted. */
const MAX_LISTED_USAGES = 20;

/** A place in the code that uses the vulnerable part of a package. */
interface Usage {
  file: string;
  line: number;
}

/** The Supply Chain results of one package version in one lockfile. */
interface VulnerablePackage {
  identityKey: string;
  checkId: string;
  message: string;
  severity: Severity;
  advisoryIds: string[];
  cwes: string[];
  ruleParts: string[];
  name: string;
  version?: string;
  ecosystem: string;
  purl?: string;
  fixedVersion?: string;
  transitivity?: string;
  semverRange?: string;
  /** When the advisory's reachability rule counts a use (`sca-reachable-if`). */
  reachableIf?: string;
  lockfile: string;
  lockfileLine?: number;
  /** The advisory has a reachability rule: Semgrep looked for uses. */
  reachabilityRule: boolean;
  reachable: boolean;
  usages: Map<string, Usage>;
}

/** A free-text metadata value, or undefined when it is anything else. */
function textOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : undefined;
}

function optionalBoolean(reader: JsonReader): boolean | undefined {
  if (reader.isMissing()) return undefined;
  if (typeof reader.value !== 'boolean') {
    throw new ReportParseError(LABEL, reader.path, 'expected a boolean');
  }
  return reader.value;
}

function purlOf(
  ecosystem: string,
  name: string,
  version: string | undefined,
): string | undefined {
  const type = PURL_TYPES.get(ecosystem);
  if (!type) return undefined;
  return packagePurl(type, name, version);
}

/**
 * The versions that fix the package: `sca-fix-versions` lists one
 * `{ package: version }` object per package the advisory names. An entry
 * of another shape is skipped with a warning.
 */
function fixedVersionOf(
  metadata: JsonReader,
  name: string,
  warnings: ReportWarning[],
): string | undefined {
  if (metadata.isMissing()) return undefined;
  const list = metadata.get('sca-fix-versions');
  if (list.isMissing()) return undefined;
  if (!Array.isArray(list.value)) {
    warnings.push({ path: list.path, message: 'expected an array; skipped' });
    return undefined;
  }
  const fixed = new Set<string>();
  for (const entry of list.array()) {
    if (!entry.isObject()) {
      warnings.push({
        path: entry.path,
        message: 'expected an object of package and version; skipped',
      });
      continue;
    }
    for (const [pkg, version] of entry.entries()) {
      if (pkg.toLowerCase() !== name.toLowerCase()) continue;
      if (typeof version.value === 'string' && version.value.trim()) {
        fixed.add(version.value.trim());
      } else {
        warnings.push({
          path: version.path,
          message: 'expected a version string; skipped',
        });
      }
    }
  }
  return fixed.size > 0 ? [...fixed].join(', ') : undefined;
}

/**
 * Adds a Supply Chain result (`extra.sca_info`) to the package it names. A
 * reachable result is a place in the code that uses the vulnerable part of
 * the package; an unreachable or unanalyzed one points at the lockfile.
 */
function addSupplyChainResult(
  packages: Map<string, VulnerablePackage>,
  result: JsonReader,
  scaInfo: JsonReader,
  warnings: ReportWarning[],
): void {
  const checkId = result.get('check_id').string();
  const path = normalizePath(result.get('path').string());
  const startLine = result.get('start').get('line').number();
  const extra = result.get('extra');
  const metadata = extra.get('metadata');

  const reachable = optionalBoolean(scaInfo.get('reachable')) ?? false;
  const reachabilityRule =
    optionalBoolean(scaInfo.get('reachability_rule')) ?? reachable;
  const match = scaInfo.get('dependency_match');
  const found = match.get('found_dependency');
  const pattern = match.get('dependency_pattern');
  const name = found.get('package').nonBlankString();
  const version = optionalText(found.get('version'));
  const ecosystem = (
    optionalText(found.get('ecosystem')) ??
    (pattern.isMissing()
      ? undefined
      : optionalText(pattern.get('ecosystem'))) ??
    ''
  ).toLowerCase();
  const lockfile = normalizePath(
    optionalText(found.get('lockfile_path')) ??
      optionalText(match.get('lockfile')) ??
      path,
  );

  const key = identityKey(checkId, ecosystem, name, lockfile);
  // Two versions of one package in a lockfile (npm nests them) are two
  // findings; `normalizeFindings` numbers the second.
  const groupKey = identityKey(key, version ?? '');
  let vulnerable = packages.get(groupKey);
  if (!vulnerable) {
    const lockfileLine =
      found.get('line_number').optionalNumber() ??
      (path === lockfile ? startLine : undefined);
    const scaSeverity = severityFromName(
      metadata.isMissing()
        ? undefined
        : metadata.get('sca-severity').optionalString(),
    );
    const metadataList = (field: string) =>
      metadata.isMissing() ? [] : stringList(metadata.get(field));
    vulnerable = {
      identityKey: key,
      checkId,
      message: extra.get('message').optionalString()?.trim() ?? '',
      severity:
        scaSeverity !== 'unknown'
          ? scaSeverity
          : severityFromName(extra.get('severity').optionalString()),
      advisoryIds: [
        ...new Set(
          [
            ...metadataList('sca-vuln-database-identifier'),
            ...metadataList('cve'),
            ...metadataList('ghsa'),
          ]
            .map(id => id.trim())
            .filter(id => id !== ''),
        ),
      ],
      cwes: cwesOf(metadata),
      ruleParts: ruleParts(checkId, metadata),
      name,
      version,
      ecosystem,
      purl: purlOf(ecosystem, name, version),
      fixedVersion: fixedVersionOf(metadata, name, warnings),
      transitivity: optionalText(found.get('transitivity')),
      semverRange: pattern.isMissing()
        ? undefined
        : optionalText(pattern.get('semver_range')),
      reachableIf: metadata.isObject()
        ? textOrUndefined(metadata.get('sca-reachable-if').value)
        : undefined,
      lockfile,
      lockfileLine:
        lockfileLine !== undefined && lockfileLine > 0
          ? lockfileLine
          : undefined,
      reachabilityRule,
      reachable: false,
      usages: new Map(),
    };
    packages.set(groupKey, vulnerable);
  }
  vulnerable.reachabilityRule ||= reachabilityRule;
  if (reachable) {
    vulnerable.reachable = true;
    if (path !== lockfile) {
      vulnerable.usages.set(`${path}:${startLine}`, {
        file: path,
        line: startLine,
      });
    }
  }
}

/** Code-point order, for sorting that does not depend on the locale. */
function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function reachabilityOf(vulnerable: VulnerablePackage): string {
  if (vulnerable.reachable) {
    const usages = [...vulnerable.usages.values()].sort(
      (a, b) => compareText(a.file, b.file) || a.line - b.line,
    );
    const listed = usages
      .slice(0, MAX_LISTED_USAGES)
      .map(usage => `- ${code(usage.file)} line ${usage.line}`);
    if (usages.length > MAX_LISTED_USAGES) {
      listed.push(`- and ${usages.length - MAX_LISTED_USAGES} more`);
    }
    return listed.length > 0
      ? `**Reachable:** your code uses the vulnerable part of the package:\n\n${listed.join(
          '\n',
        )}`
      : '**Reachable:** your code uses the vulnerable part of the package.';
  }
  if (vulnerable.reachabilityRule) {
    return "**Unreachable:** Semgrep's reachability analysis found no use of the vulnerable part of the package.";
  }
  return '**Reachability not analyzed:** the advisory has no reachability rule; the version alone matched.';
}

/** A Semgrep Supply Chain finding: a vulnerable package in a lockfile. */
function packageFinding(vulnerable: VulnerablePackage): ParsedFinding {
  const { name, version } = vulnerable;
  const primaryId =
    vulnerable.advisoryIds[0] ??
    vulnerable.checkId.split('.').filter(Boolean).pop() ??
    vulnerable.checkId;
  const details = [
    `- Package: ${code(name)}${version ? ` ${version}` : ''} (${[
      vulnerable.ecosystem,
      vulnerable.transitivity ? `${vulnerable.transitivity} dependency` : '',
    ]
      .filter(Boolean)
      .join(', ')})`,
    `- Lockfile: ${code(vulnerable.lockfile)}${
      vulnerable.lockfileLine ? ` line ${vulnerable.lockfileLine}` : ''
    }`,
  ];
  if (vulnerable.semverRange) {
    details.push(`- Vulnerable versions: ${code(vulnerable.semverRange)}`);
  }
  if (vulnerable.fixedVersion) {
    details.push(`- Fixed in: ${vulnerable.fixedVersion}`);
  }
  if (vulnerable.reachableIf) {
    details.push(`- Reachable if: ${vulnerable.reachableIf}`);
  }
  const parts = [
    vulnerable.message,
    reachabilityOf(vulnerable),
    details.join('\n'),
    ...vulnerable.ruleParts,
  ].filter(part => part !== '');
  const title = `${primaryId} in ${name}${version ? ` ${version}` : ''}`;
  return {
    identityKey: vulnerable.identityKey,
    title: truncateText(title, TITLE_MAX),
    description: parts.join('\n\n'),
    severity: vulnerable.severity,
    status: 'open',
    ruleId: vulnerable.checkId,
    vulnerabilityIds: vulnerable.advisoryIds,
    cwes: vulnerable.cwes,
    package: {
      ...(vulnerable.purl ? { purl: vulnerable.purl } : {}),
      name,
      ...(version ? { version } : {}),
      ...(vulnerable.fixedVersion
        ? { fixedVersion: vulnerable.fixedVersion }
        : {}),
    },
    location: {
      file: vulnerable.lockfile,
      ...(vulnerable.lockfileLine
        ? { startLine: vulnerable.lockfileLine }
        : {}),
    },
  };
}

/** `semgrep --json` output: Semgrep Code (SAST) and Supply Chain results. */
export const semgrepParser = reportParser({
  format: 'semgrep',
  label: LABEL,
  detect,
  claims: document =>
    isRecord(document) &&
    'results' in document &&
    ('errors' in document || 'paths' in document) &&
    !('experimental_config' in document),
  read,
});
