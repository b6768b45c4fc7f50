import { Severity } from 'backstage-plugin-security-observations-common';
import { CvssScores, highestCvssScore, scoreFromOptionalVector } from './cvss';
import {
  digest,
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
import { redactSecrets } from './redact';
import { ReportParseError } from './ReportParseError';
import { severityFromName, severityFromScore } from './severity';
import {
  ParsedFinding,
  ParserStatus,
  ReportReading,
  reportParser,
} from './types';

/**
 * Trivy's native JSON report (`trivy image|fs|repo|config --format json`),
 * SchemaVersion 2: `Results[].Vulnerabilities[]`, `Results[].Misconfigurations[]`
 * (failures only) and `Results[].Secrets[]`. License results are skipped.
 * See docs/formats/trivy.md.
 */

const LABEL = 'Trivy JSON';

/** Result classes that carry no security findings. */
const SKIPPED_CLASSES = new Set(['license', 'license-file']);

/** Trivy vulnerability statuses that say the package is not affected. */
const NOT_AFFECTED_STATUSES = new Set(['not_affected']);

interface PendingFinding {
  identityParts: Array<string | number | undefined>;
  finding: Omit<ParsedFinding, 'identityKey'>;
}

interface ReportContext {
  image?: string;
}

/** An optional positive line number; Trivy writes 0 when it has none. */
function line(reader: JsonReader): number | undefined {
  const value = reader.optionalNumber();
  return value !== undefined && value > 0 ? Math.floor(value) : undefined;
}

/** `CWE-79` form; anything that is not a CWE id is dropped. */
function cweIds(values: string[]): string[] {
  return unique(
    values.flatMap(value => {
      const match = /^(?:CWE-)?(\d+)$/i.exec(value.trim());
      return match ? [`CWE-${Number(match[1])}`] : [];
    }),
  );
}

/**
 * The highest CVSS v3/v4 base score across Trivy's CVSS sources (from the
 * score, or computed from the vector); v2 only when there is nothing newer.
 */
function highestTrivyCvssScore(cvss: JsonReader): number | undefined {
  if (cvss.isMissing()) return undefined;
  const scores: CvssScores = { modern: [], legacy: [] };
  for (const [, source] of cvss.entries()) {
    if (source.isMissing()) continue;
    const v4 =
      source.get('V40Score').optionalNumeric() ??
      scoreFromOptionalVector(text(source.get('V40Vector')));
    const v3 =
      source.get('V3Score').optionalNumeric() ??
      scoreFromOptionalVector(text(source.get('V3Vector')));
    const v2 =
      source.get('V2Score').optionalNumeric() ??
      scoreFromOptionalVector(text(source.get('V2Vector')));
    for (const score of [v4, v3]) {
      if (score !== undefined) scores.modern.push(score);
    }
    if (v2 !== undefined) scores.legacy.push(v2);
  }
  return highestCvssScore(scores);
}

function vulnerabilitySeverity(vulnerability: JsonReader): Severity {
  const named = severityFromName(text(vulnerability.get('Severity')));
  if (named !== 'unknown') return named;
  const score = highestTrivyCvssScore(vulnerability.get('CVSS'));
  return score === undefined ? 'unknown' : severityFromScore(score);
}

function parseVulnerability(
  vulnerability: JsonReader,
  result: { target: string; className?: string; type?: string },
  context: ReportContext,
): PendingFinding {
  const id = vulnerability.get('VulnerabilityID').nonBlankString();
  const vendorIds = strings(vulnerability.get('VendorIDs'));
  const pkgName = text(vulnerability.get('PkgName'));
  const purl = text(optionalPath(vulnerability, 'PkgIdentifier', 'PURL'));
  const installed = text(vulnerability.get('InstalledVersion'));
  const fixed = text(vulnerability.get('FixedVersion'));
  const pkgPath = text(vulnerability.get('PkgPath'));
  const title = text(vulnerability.get('Title'));
  const trivyStatus = text(vulnerability.get('Status'));
  const primaryUrl = text(vulnerability.get('PrimaryURL'));
  const references = strings(vulnerability.get('References'));

  const isLang = result.className === 'lang-pkgs';
  // os-pkgs targets name the image ("alpine:3.10 (alpine 3.10.9)"): never used.
  let file: string | undefined;
  if (pkgPath) {
    file = normalizePath(pkgPath);
  } else if (isLang) {
    file = normalizePath(result.target);
  }

  const packageKey = purl
    ? purlWithoutVersion(purl)
    : `${result.type ?? ''}/${pkgName ?? ''}`;
  const pathKey = file ? pathWithoutVersion(file, installed) : undefined;

  const status: ParserStatus =
    trivyStatus && NOT_AFFECTED_STATUSES.has(trivyStatus.toLowerCase())
      ? 'not_affected'
      : 'open';

  const facts = [
    pkgName && `- **Package:** ${code(pkgName)}`,
    installed && `- **Installed version:** ${code(installed)}`,
    `- **Fixed version:** ${fixed ? code(fixed) : 'none available'}`,
    trivyStatus && `- **Trivy status:** ${code(trivyStatus)}`,
    file && `- **Path:** ${code(file)}`,
  ]
    .filter(Boolean)
    .join('\n');

  return {
    identityParts: ['vulnerability', id, packageKey, pathKey],
    finding: {
      title: title
        ? `${id}: ${title}`
        : `${id} in ${pkgName ?? purl ?? 'unknown package'}`,
      description: paragraphs([
        text(vulnerability.get('Description')),
        facts,
        links([primaryUrl, ...references]),
      ]),
      severity: vulnerabilitySeverity(vulnerability),
      status,
      vulnerabilityIds: unique([id, ...vendorIds]),
      cwes: cweIds(strings(vulnerability.get('CweIDs'))),
      package: compact({
        purl,
        name: pkgName,
        version: installed,
        fixedVersion: fixed,
      }),
      location: compact({ image: context.image, file }),
    },
  };
}

/** Trivy's rule id without the `AVD-` prefix older releases put on it. */
function canonicalCheckId(id: string, avdId: string | undefined): string {
  return (avdId ?? id).replace(/^AVD-/i, '').toUpperCase();
}

function parseMisconfiguration(
  misconfiguration: JsonReader,
  target: string,
  context: ReportContext,
): PendingFinding | undefined {
  const status = text(misconfiguration.get('Status'));
  // Trivy lists only failures unless --include-non-failures: a missing
  // status is a failure; PASS and EXCEPTION are not findings.
  if (status !== undefined && status.toUpperCase() !== 'FAIL') {
    return undefined;
  }
  const id = misconfiguration.get('ID').string().trim();
  const avdId = text(misconfiguration.get('AVDID'));
  const title = text(misconfiguration.get('Title'));
  const cause = misconfiguration.get('CauseMetadata');
  const resource = text(optionalPath(cause, 'Resource'));
  const startLine = line(optionalPath(cause, 'StartLine'));
  const endLine = line(optionalPath(cause, 'EndLine'));
  const file = normalizePath(target);
  const message = text(misconfiguration.get('Message'));
  const resolution = text(misconfiguration.get('Resolution'));

  return {
    identityParts: [
      'misconfiguration',
      file,
      canonicalCheckId(id, avdId),
      resource,
    ],
    finding: {
      title: title ? `${id}: ${title}` : id,
      description: paragraphs([
        text(misconfiguration.get('Description')),
        message && `**Finding:** ${message}`,
        resolution && `**Resolution:** ${resolution}`,
        resource && `**Resource:** ${code(resource)}`,
        links([
          text(misconfiguration.get('PrimaryURL')),
          ...strings(misconfiguration.get('References')),
        ]),
      ]),
      severity: severityFromName(text(misconfiguration.get('Severity'))),
      status: 'open',
      ruleId: id,
      vulnerabilityIds: [],
      cwes: [],
      location: compact({
        image: context.image,
        file,
        startLine,
        endLine: endLine ?? startLine,
      }),
    },
  };
}

/** Where a Match separates a key from its value: after the first `=` or `:`. */
function separatorEnd(match: string): number | undefined {
  const index = match.search(/[=:]/);
  return index < 0 ? undefined : index + 1;
}

/**
 * The part of a secret's Match line that is safe to hash for identity: the
 * text before the secret. Trivy masks the secret with `*`; the text is cut at
 * the first run of `*` or just after the first `=` / `:`, whichever comes
 * first. Unmasked (no `*` at all), it is cut after the first `=` / `:`, or
 * dropped whole when there is none, because the secret could be anywhere.
 */
function secretShape(match: string | undefined): string {
  if (!match) return '';
  const separator = separatorEnd(match);
  const star = match.indexOf('*');
  let cut: number;
  if (star >= 0) {
    cut = Math.min(star, separator ?? star);
  } else {
    cut = separator ?? 0;
  }
  return match.slice(0, cut).replace(/\s+/g, ' ').trim();
}

/**
 * Values in an unmasked Match that may be the secret, so that nothing a
 * parser writes can carry them even if a rule title did. Masked matches
 * hold only `*` where the secret was.
 */
function secretCandidates(match: string | undefined): string[] {
  if (!match || match.includes('*')) return [];
  const candidates = [match.trim()];
  const separator = separatorEnd(match);
  if (separator !== undefined) {
    const value = match.slice(separator).trim();
    candidates.push(value, value.replace(/^["']|["']$/g, ''));
  }
  candidates.push(
    ...match.split(/[\s=:"',;]+/).filter(part => part.length >= 8),
  );
  return candidates;
}

function parseSecret(
  secret: JsonReader,
  target: string,
  context: ReportContext,
): PendingFinding {
  const ruleId = secret.get('RuleID').string().trim();
  const category = text(secret.get('Category'));
  const title = text(secret.get('Title'));
  const startLine = line(secret.get('StartLine'));
  const endLine = line(secret.get('EndLine'));
  // Only the Match is read (for identity), never Code.Lines: with masking
  // off it holds the secret, and the lines around it may hold others.
  const match = secret.get('Match').optionalString();
  const file = normalizePath(target);
  const secrets = secretCandidates(match);
  const where =
    startLine === undefined
      ? code(file)
      : `${code(file)} line ${startLine}${
          endLine && endLine !== startLine ? `-${endLine}` : ''
        }`;

  const finding: Omit<ParsedFinding, 'identityKey'> = {
    title: `Secret: ${title ?? ruleId}`,
    description: paragraphs([
      `Trivy found a secret matching rule ${code(ruleId)}${
        category ? ` (category ${code(category)})` : ''
      } in ${where}.`,
      'The secret itself is not stored. Rotate it, then remove it from the file and from the history.',
    ]),
    severity: severityFromName(text(secret.get('Severity'))),
    status: 'open',
    ruleId,
    vulnerabilityIds: [],
    cwes: ['CWE-798'],
    location: compact({
      image: context.image,
      file,
      startLine,
      endLine: endLine ?? startLine,
    }),
  };
  finding.title = redactSecrets(finding.title, secrets) ?? finding.title;
  finding.description =
    redactSecrets(finding.description, secrets) ?? finding.description;

  return {
    identityParts: ['secret', file, ruleId, digest(secretShape(match))],
    finding,
  };
}

/**
 * The findings of all results, with their identity keys; a key that occurs
 * more than once in one report (the same secret rule twice in a file, say)
 * gets an ordinal.
 */
function* findingsOf(
  root: JsonReader,
  context: ReportContext,
): Generator<ParsedFinding> {
  const seen = new Map<string, number>();
  for (const { identityParts, finding } of pendingFindings(root, context)) {
    yield { identityKey: uniqueKey(seen, identityParts), ...finding };
  }
}

function* pendingFindings(
  root: JsonReader,
  context: ReportContext,
): Generator<PendingFinding> {
  for (const result of root.get('Results').optionalItems()) {
    const className = text(result.get('Class'));
    if (className && SKIPPED_CLASSES.has(className)) continue;
    const vulnerabilities = result.get('Vulnerabilities');
    const misconfigurations = result.get('Misconfigurations');
    const secrets = result.get('Secrets');
    if (
      vulnerabilities.optionalLength() +
        misconfigurations.optionalLength() +
        secrets.optionalLength() ===
      0
    ) {
      continue;
    }
    const target = result.get('Target').string();
    const type = text(result.get('Type'));
    for (const vulnerability of vulnerabilities.optionalItems()) {
      yield parseVulnerability(
        vulnerability,
        { target, className, type },
        context,
      );
    }
    for (const misconfiguration of misconfigurations.optionalItems()) {
      const finding = parseMisconfiguration(misconfiguration, target, context);
      if (finding) yield finding;
    }
    for (const secret of secrets.optionalItems()) {
      yield parseSecret(secret, target, context);
    }
  }
}

export const trivyParser = reportParser({
  format: 'trivy',
  label: LABEL,

  detect(document: unknown): boolean {
    return (
      isRecord(document) &&
      typeof document.SchemaVersion === 'number' &&
      (Array.isArray(document.Results) ||
        typeof document.ArtifactName === 'string')
    );
  },

  read(document: unknown): ReportReading {
    const root = new JsonReader(LABEL, document);
    const schemaVersion = root.get('SchemaVersion').number();
    if (schemaVersion !== 2) {
      throw new ReportParseError(
        LABEL,
        'SchemaVersion',
        `unsupported schema version ${schemaVersion}; only 2 is supported`,
      );
    }
    const artifactName = text(root.get('ArtifactName'));
    const artifactType = text(root.get('ArtifactType'));
    const context: ReportContext = {
      image: artifactType === 'container_image' ? artifactName : undefined,
    };

    return {
      format: 'trivy',
      scanner: 'trivy',
      findings: findingsOf(root, context),
    };
  },
});
