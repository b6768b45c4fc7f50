import { Severity } from 'backstage-plugin-security-observations-common';
import { LazyJsonArray } from '../json/LazyJsonArray';
import { CvssScores, highestCvssScore, scoreFromOptionalVector } from './cvss';
import {
  digest,
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
import { redactSecrets } from './redact';
import { ReportParseError } from './ReportParseError';
import { severityFromName, severityFromScore } from './severity';
import {
  ParsedFinding,
  ParserStatus,
  ReportReading,
  reportParser,
  ReportWarning,
} from './types';

/**
 * Trivy's native JSON reports, in three shapes (see docs/formats/trivy.md):
 * - SchemaVersion 2 (`trivy image|fs|repo|config --format json`, 0.20+):
 *   `Results[].Vulnerabilities[]`, `Results[].Misconfigurations[]` (failures
 *   only) and `Results[].Secrets[]`;
 * - `trivy k8s --format json`: `ClusterName` with the same results per
 *   Kubernetes resource, under `Resources[]` (`--report all`), `Findings[]`
 *   (`--report summary`) or, in the 0.2x releases, `Vulnerabilities[]` and
 *   `Misconfigurations[]`;
 * - before schema 2 (up to 0.19): a bare array of those results.
 * Licence findings are not imported; the import's answer says so.
 */

const LABEL = 'Trivy JSON';

/** Result classes that carry no security findings. */
const SKIPPED_CLASSES = new Set(['license', 'license-file']);

/** Trivy vulnerability statuses that say the package is not affected. */
const NOT_AFFECTED_STATUSES = new Set(['not_affected']);

/**
 * Trivy's OS families (`Type` of an os-pkgs result), for results that do not
 * name their `Class` (reports before schema 2).
 */
const OS_TYPES = new Set([
  'alma',
  'alpine',
  'amazon',
  'azurelinux',
  'bottlerocket',
  'cbl-mariner',
  'centos',
  'chainguard',
  'coreos',
  'debian',
  'echo',
  'fedora',
  'minimos',
  'opensuse',
  'opensuse.leap',
  'opensuse.tumbleweed',
  'oracle',
  'photon',
  'redhat',
  'rocky',
  'slem',
  'sles',
  'suse linux enterprise server',
  'ubuntu',
  'wolfi',
]);

/** `name:tag (debian 12.5)`: the image and its OS, as os-pkgs targets read. */
const OS_TARGET = /^(\S.*?)\s+\([^()]+\)$/;

/** The arrays of Kubernetes resources a `trivy k8s` report may carry. */
const RESOURCE_LISTS = [
  'Resources',
  'Findings',
  'Vulnerabilities',
  'Misconfigurations',
] as const;

/** Keys of which a Trivy result has at least one (each may be null). */
const RESULT_KEYS = [
  'Vulnerabilities',
  'Misconfigurations',
  'MisconfSummary',
  'Secrets',
  'Licenses',
];

interface PendingFinding {
  identityParts: Array<string | number | undefined>;
  finding: Omit<ParsedFinding, 'identityKey'>;
}

interface ReportContext {
  image?: string;
}

/** A Kubernetes resource of a `trivy k8s` report. */
interface KubernetesResource {
  cluster?: string;
  namespace?: string;
  kind: string;
  name: string;
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

interface ResultContext {
  target: string;
  className?: string;
  type?: string;
  isOs: boolean;
}

function parseVulnerability(
  vulnerability: JsonReader,
  result: ResultContext,
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

  // Without a Class (before schema 2), every result that is not the OS's
  // is a language's: its Target is the lockfile.
  const isLang = result.className
    ? result.className === 'lang-pkgs'
    : !result.isOs;
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
  // Older releases (0.2x `trivy config` and `trivy k8s`) wrote `IacMetadata`.
  const cause = misconfiguration.has('CauseMetadata')
    ? misconfiguration.get('CauseMetadata')
    : misconfiguration.get('IacMetadata');
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

/** The image an os-pkgs Target names: `redis:6.0.5 (debian 10.4)` is `redis:6.0.5`. */
function imageOfTarget(target: string): string | undefined {
  return OS_TARGET.exec(target.trim())?.[1];
}

/**
 * An image reference without its tag and digest (`docker.io/redis`), which a
 * rebuild or an upgrade of the image keeps.
 */
function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0];
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/**
 * Licence findings are not security findings and are not imported; a
 * warning says so, so that a licence scan that imports as empty is not a
 * mystery. `Licenses` of any shape is passed over, never refused.
 */
function noteLicences(result: JsonReader, warnings: ReportWarning[]): void {
  const licenses = result.get('Licenses');
  if (Array.isArray(licenses.value) && licenses.value.length > 0) {
    const count = licenses.value.length;
    warnings.push({
      path: licenses.path,
      message: `${count} licence finding${
        count === 1 ? '' : 's'
      } not imported: licences are not security findings`,
    });
  }
}

/** What a result is, read before its findings; undefined for licence results. */
function readResult(
  result: JsonReader,
  warnings: ReportWarning[],
): (ResultContext & { findingCount: number }) | undefined {
  const className = text(result.get('Class'));
  noteLicences(result, warnings);
  if (className && SKIPPED_CLASSES.has(className)) return undefined;
  const findingCount =
    result.get('Vulnerabilities').optionalLength() +
    result.get('Misconfigurations').optionalLength() +
    result.get('Secrets').optionalLength();
  // The Target is required only where there are findings to place; a result
  // with none (only a MisconfSummary, say) is passed over whatever it holds.
  const targetReader = result.get('Target');
  let target: string;
  if (findingCount > 0) {
    target = targetReader.string();
  } else {
    target = typeof targetReader.value === 'string' ? targetReader.value : '';
  }
  const type =
    findingCount > 0
      ? text(result.get('Type'))
      : lenientText(result.get('Type'));
  const isOs = className
    ? className === 'os-pkgs'
    : (type !== undefined && OS_TYPES.has(type.toLowerCase())) ||
      OS_TARGET.test(target.trim());
  return { target, className, type, isOs, findingCount };
}

/** An optional string where a wrong type is passed over, not refused. */
function lenientText(reader: JsonReader): string | undefined {
  return typeof reader.value === 'string' ? text(reader) : undefined;
}

/** The findings of one result. */
function* resultFindings(
  result: JsonReader,
  info: ResultContext,
  context: ReportContext,
): Generator<PendingFinding> {
  for (const vulnerability of result.get('Vulnerabilities').optionalItems()) {
    yield parseVulnerability(vulnerability, info, context);
  }
  for (const misconfiguration of result
    .get('Misconfigurations')
    .optionalItems()) {
    const finding = parseMisconfiguration(
      misconfiguration,
      info.target,
      context,
    );
    if (finding) yield finding;
  }
  for (const secret of result.get('Secrets').optionalItems()) {
    yield parseSecret(secret, info.target, context);
  }
}

/** SchemaVersion 2: `Results[]` of one artifact. */
function* schema2Findings(
  root: JsonReader,
  context: ReportContext,
  warnings: ReportWarning[],
): Generator<PendingFinding> {
  for (const result of root.get('Results').optionalItems()) {
    const info = readResult(result, warnings);
    if (!info || info.findingCount === 0) continue;
    yield* resultFindings(result, info, context);
  }
}

/**
 * Before schema 2: a bare array of results. The report names no artifact;
 * an image scan's OS result names the image in its Target, and the results
 * after it (the image's language packages) are in that image too.
 */
function* legacyFindings(
  root: JsonReader,
  warnings: ReportWarning[],
): Generator<PendingFinding> {
  let image: string | undefined;
  for (const result of root.items()) {
    const info = readResult(result, warnings);
    if (!info) continue;
    if (info.isOs) image = imageOfTarget(info.target) ?? image;
    if (info.findingCount === 0) continue;
    yield* resultFindings(result, info, { image });
  }
}

/** `Deployment default/redis-leader`; `ClusterRole admin` when cluster-wide. */
function resourceLabel(resource: KubernetesResource): string {
  return `${resource.kind} ${
    resource.namespace ? `${resource.namespace}/` : ''
  }${resource.name}`;
}

/**
 * Where a finding of a `trivy k8s` report is: the resource, not a file of
 * the repository (a path is one in an image, or a manifest Trivy fetched).
 * The resource joins the identity, so that one CVE in two deployments is
 * two observations; for OS packages the image repository joins it too, as
 * a pod's containers may share OS packages. The cluster does not: a
 * renamed kube context keeps the findings (post each cluster with its own
 * `source=`).
 */
function inResource(
  pending: PendingFinding,
  resource: KubernetesResource,
  osImage: string | undefined,
): PendingFinding {
  const { identityParts, finding } = pending;
  const where = `**Kubernetes resource:** ${code(resourceLabel(resource))}${
    resource.cluster ? ` in cluster ${code(resource.cluster)}` : ''
  }`;
  return {
    identityParts: [
      'kubernetes',
      resource.namespace,
      resource.kind.toLowerCase(),
      resource.name,
      osImage && imageRepository(osImage),
      ...identityParts,
    ],
    finding: {
      ...finding,
      description: paragraphs([finding.description, where]),
      location: compact({
        uri: `k8s:${resource.namespace ? `${resource.namespace}/` : ''}${
          resource.kind
        }/${resource.name}`,
        image: osImage,
      }),
    },
  };
}

/** A resource of a `trivy k8s` report; its scan error becomes a warning. */
function readResource(
  resource: JsonReader,
  cluster: string | undefined,
  warnings: ReportWarning[],
): KubernetesResource {
  const kind = resource.get('Kind').nonBlankString();
  const name = resource.get('Name').nonBlankString();
  const namespace = text(resource.get('Namespace'));
  const error = resource.get('Error');
  if (typeof error.value === 'string' && error.value.trim() !== '') {
    warnings.push({
      path: error.path,
      message: `Trivy could not scan ${kind} ${
        namespace ? `${namespace}/` : ''
      }${name}: ${error.value.replace(/\s+/g, ' ').trim().slice(0, 300)}`,
    });
  }
  return { cluster, namespace, kind, name };
}

/** `trivy k8s`: the results of each Kubernetes resource. */
function* kubernetesFindings(
  root: JsonReader,
  warnings: ReportWarning[],
): Generator<PendingFinding> {
  const cluster = text(root.get('ClusterName'));
  for (const list of RESOURCE_LISTS) {
    for (const item of root.get(list).optionalItems()) {
      const resource = readResource(item, cluster, warnings);
      for (const result of item.get('Results').optionalItems()) {
        const info = readResult(result, warnings);
        if (!info || info.findingCount === 0) continue;
        const osImage = info.isOs ? imageOfTarget(info.target) : undefined;
        for (const pending of resultFindings(result, info, {})) {
          yield inResource(pending, resource, osImage);
        }
      }
    }
  }
}

/** The findings with their identity keys. */
function* withKeys(
  pending: Iterable<PendingFinding>,
): Generator<ParsedFinding> {
  for (const { identityParts, finding } of pending) {
    yield { identityKey: identityKey(...identityParts), ...finding };
  }
}

function isArrayDocument(document: unknown): boolean {
  return Array.isArray(document) || document instanceof LazyJsonArray;
}

/** A `trivy k8s` report: `ClusterName`, and resources rather than `Results`. */
function isKubernetesReport(document: unknown): boolean {
  return (
    isRecord(document) && 'ClusterName' in document && !('Results' in document)
  );
}

/** An item of a report before schema 2: a result with its `Target`. */
function isLegacyResult(item: unknown): boolean {
  return (
    isRecord(item) &&
    typeof item.Target === 'string' &&
    RESULT_KEYS.some(key => key in item)
  );
}

export const trivyParser = reportParser({
  format: 'trivy',
  label: LABEL,

  detect(document: unknown): boolean {
    if (Array.isArray(document)) {
      return document.length > 0 && isLegacyResult(document[0]);
    }
    if (!isRecord(document)) return false;
    if (isKubernetesReport(document)) {
      return (
        typeof document.ClusterName === 'string' &&
        RESOURCE_LISTS.every(
          list =>
            document[list] === undefined ||
            document[list] === null ||
            Array.isArray(document[list]),
        )
      );
    }
    return (
      typeof document.SchemaVersion === 'number' &&
      (Array.isArray(document.Results) ||
        typeof document.ArtifactName === 'string')
    );
  },

  claims(document: unknown): boolean {
    return (
      isKubernetesReport(document) ||
      (isRecord(document) &&
        typeof document.SchemaVersion === 'number' &&
        ('Results' in document || 'ArtifactName' in document))
    );
  },

  read(document: unknown): ReportReading {
    const root = new JsonReader(LABEL, document);
    const warnings: ReportWarning[] = [];
    const reading = (pending: Iterable<PendingFinding>): ReportReading => ({
      format: 'trivy',
      scanner: 'trivy',
      findings: withKeys(pending),
      warnings,
    });

    if (isArrayDocument(document)) {
      return reading(legacyFindings(root, warnings));
    }
    if (isKubernetesReport(document)) {
      return reading(kubernetesFindings(root, warnings));
    }
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
    return reading(schema2Findings(root, context, warnings));
  },
});
