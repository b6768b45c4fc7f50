import { Severity } from 'backstage-plugin-security-observations-common';
import { PackageURL } from 'packageurl-js';
import { purlWithoutVersion, identityKey } from './identity';
import { mdLink } from './markdown';
import { JsonReader } from './read';
import { ReportParseError } from './ReportParseError';
import {
  scoreFromCvssVector,
  severityFromName,
  severityFromScore,
} from './severity';
import {
  ParsedFinding,
  ParserStatus,
  ReportReading,
  ReportWarning,
  reportParser,
} from './types';

/*
 * CycloneDX, JSON and XML alike: each shape is read into the few fields
 * below (`CdxVulnerability`, `CdxComponent`), and one mapping makes the
 * findings, so that the same BOM gives the same findings and identities
 * whichever way it is written. This file reads JSON; `cyclonedxXml.ts`
 * reads XML.
 */

const LABEL = 'CycloneDX';
const SPEC_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7'];

/** A component as the mapping needs it. */
export interface CdxComponent {
  purl?: string;
  name?: string;
  version?: string;
  /** Only used where a component has neither purl nor bom-ref. */
  group?: string;
}

/** The components of a BOM that have a `bom-ref`, by it. */
export type CdxComponentIndex = Map<string, CdxComponent>;

export interface CdxRating {
  method?: string;
  severity?: string;
  score?: number;
  vector?: string;
}

export interface CdxAffect {
  /** The bom-ref, BOM-Link or purl that names the affected component. */
  ref?: string;
  /**
   * The component itself, where the document puts the vulnerability inside
   * it (the XML vulnerability extension of CycloneDX 1.2 and 1.3).
   */
  component?: CdxComponent;
  versions: Array<{ version?: string; range?: string; status?: string }>;
}

/** One vulnerability of a BOM, whatever its shape. */
export interface CdxVulnerability {
  id?: string;
  bomRef?: string;
  referenceIds: string[];
  ratings: CdxRating[];
  cwes: number[];
  description?: string;
  detail?: string;
  recommendation?: string;
  advisories: Array<{ title?: string; url?: string }>;
  analysis?: {
    state?: string;
    justification?: string;
    responses: string[];
    detail?: string;
  };
  affects: CdxAffect[];
}

/** Rating methods, most preferred first; anything else ranks after them. */
const METHOD_PREFERENCE = ['CVSSv4', 'CVSSv31', 'CVSSv3', 'CVSSv2', 'OWASP'];

/** Vector prefixes a method implies when the vector omits it. */
const VECTOR_PREFIX = new Map<string, string>([
  ['CVSSv4', 'CVSS:4.0/'],
  ['CVSSv31', 'CVSS:3.1/'],
  ['CVSSv3', 'CVSS:3.0/'],
]);

const VEX_STATUS = new Map<string, ParserStatus>([
  ['resolved', 'resolved'],
  ['resolved_with_pedigree', 'resolved'],
  ['exploitable', 'open'],
  ['in_triage', 'in_review'],
  ['false_positive', 'false_positive'],
  ['not_affected', 'not_affected'],
]);

/** Lower-case slug of a tool name: `Snyk CLI (Linux)` -> `snyk-cli-linux`. */
function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The scanner: the first tool (of `metadata.tools`) whose name slugs to something. */
export function cyclonedxScanner(names: Array<string | undefined>): string {
  for (const name of names) {
    const result = name ? slug(name) : '';
    if (result) return result;
  }
  return 'cyclonedx';
}

/**
 * `urn:cdx:<serial>/<version>#<bom-ref>`: a BOM-Link, with which a VEX
 * document names a component of another BOM. The bom-ref part, without the
 * serial number and version that change with every build of that BOM.
 */
function bomLinkRef(ref: string): string | undefined {
  const match = /^urn:cdx:[^/#]+\/\d+#(.+)$/.exec(ref);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/**
 * The component a ref names, and the ref that stands for it where it has no
 * purl: a bom-ref of this BOM, the bom-ref of a BOM-Link, or a purl read as
 * the package.
 */
function resolveRef(
  ref: string,
  index: CdxComponentIndex,
): { component?: CdxComponent; ref: string } {
  const local = bomLinkRef(ref) ?? ref;
  const component = index.get(local);
  if (component) return { component, ref: local };
  if (local.startsWith('pkg:')) {
    try {
      const purl = PackageURL.fromString(local);
      return {
        component: {
          purl: local,
          name: purl.name,
          version: purl.version ?? undefined,
        },
        ref: local,
      };
    } catch {
      return { component: { purl: local }, ref: local };
    }
  }
  return { ref: local };
}

function methodRank(method: string | undefined): number {
  const rank = method ? METHOD_PREFERENCE.indexOf(method) : -1;
  return rank === -1 ? METHOD_PREFERENCE.length : rank;
}

/**
 * The most preferred rating that says something: its severity name, else its
 * score, else its vector.
 */
function severityOf(ratings: CdxRating[]): Severity {
  const ranked = ratings
    .map((rating, position) => ({ rating, position }))
    .sort(
      (a, b) =>
        methodRank(a.rating.method) - methodRank(b.rating.method) ||
        a.position - b.position,
    );
  for (const { rating } of ranked) {
    const byName = severityFromName(rating.severity);
    if (byName !== 'unknown') return byName;
    if (rating.score !== undefined) return severityFromScore(rating.score);
    let vector = rating.vector?.trim();
    if (vector) {
      const prefix = rating.method
        ? VECTOR_PREFIX.get(rating.method)
        : undefined;
      if (prefix && !vector.startsWith('CVSS:')) {
        vector = prefix + vector;
      }
      const vectorScore = scoreFromCvssVector(vector);
      if (vectorScore !== undefined) return severityFromScore(vectorScore);
    }
  }
  return 'unknown';
}

/** `vers:semver/>=2.9.5` -> `2.9.5`; other ranges say no single version. */
function versionFromRange(range: string | undefined): string | undefined {
  const match = range?.match(/^vers:[^/]+\/>=([^|<>=!*]+)$/);
  return match ? match[1].trim() : undefined;
}

function fixedVersionOf(affect: CdxAffect): string | undefined {
  for (const entry of affect.versions) {
    if (entry.status !== 'unaffected') continue;
    const version = entry.version ?? versionFromRange(entry.range);
    if (version) return version;
  }
  return undefined;
}

function describe(vulnerability: CdxVulnerability): string {
  const parts: string[] = [];
  const { description, detail, recommendation, analysis } = vulnerability;
  if (description?.trim()) parts.push(description.trim());
  if (detail?.trim()) parts.push(detail.trim());
  if (recommendation?.trim()) {
    parts.push(`**Recommendation:** ${recommendation.trim()}`);
  }
  const advisories = vulnerability.advisories.flatMap(({ url, title }) =>
    url ? [`- ${mdLink(title?.trim() || url, url)}`] : [],
  );
  if (advisories.length > 0) {
    parts.push(`**Advisories:**\n\n${advisories.join('\n')}`);
  }
  if (analysis?.detail?.trim()) {
    parts.push(`**Analysis:** ${analysis.detail.trim()}`);
  }
  // VEX `response`: what the producer does about it (`will_not_fix`, `update`).
  const responses = (analysis?.responses ?? [])
    .map(response => response.trim().replace(/_/g, ' '))
    .filter(response => response !== '');
  if (responses.length > 0) {
    parts.push(`**Response:** ${[...new Set(responses)].join(', ')}`);
  }
  return parts.join('\n\n');
}

/** The component's name for identity where it has neither purl nor bom-ref. */
function componentName(component: CdxComponent | undefined): string {
  if (!component?.name) return '';
  return component.group
    ? `${component.group}/${component.name}`
    : component.name;
}

/**
 * The findings of one vulnerability: one per component it affects, or one
 * without a package when it names none. Identity: the vulnerability id and
 * the affected component's purl without version (qualifiers dropped), else
 * the bom-ref naming it, else its group/name.
 *
 * @param missingId - throws the shape's error for a vulnerability that has
 *   no id, reference id or bom-ref at all.
 */
export function cyclonedxFindings(
  vulnerability: CdxVulnerability,
  components: CdxComponentIndex,
  missingId: () => never,
): ParsedFinding[] {
  const { referenceIds } = vulnerability;
  const id = vulnerability.id || referenceIds[0] || vulnerability.bomRef;
  if (!id) missingId();
  const vulnerabilityIds = [...new Set([id, ...referenceIds])];
  const cwes = [...new Set(vulnerability.cwes.map(cwe => `CWE-${cwe}`))];
  const severity = severityOf(vulnerability.ratings);
  const description = describe(vulnerability);
  const state = vulnerability.analysis?.state;
  const status: ParserStatus =
    (state !== undefined && VEX_STATUS.get(state)) || 'open';
  const justification =
    status === 'not_affected'
      ? vulnerability.analysis?.justification
      : undefined;

  const base = {
    description,
    severity,
    status,
    ...(justification ? { justification } : {}),
    vulnerabilityIds,
    cwes,
  };

  if (vulnerability.affects.length === 0) {
    return [{ ...base, identityKey: identityKey(id), title: id }];
  }
  return vulnerability.affects.map(affect => {
    const target = affect.component
      ? { component: affect.component, ref: affect.ref }
      : resolveRef(affect.ref ?? '', components);
    const { component, ref } = target;
    const fixedVersion = fixedVersionOf(affect);
    const name = component?.name;
    const version = component?.version;
    const packageInfo = {
      ...(component?.purl ? { purl: component.purl } : {}),
      ...(name ? { name } : {}),
      ...(version ? { version } : {}),
      ...(fixedVersion ? { fixedVersion } : {}),
    };
    return {
      ...base,
      identityKey: identityKey(
        id,
        component?.purl
          ? purlWithoutVersion(component.purl)
          : ref || componentName(component),
      ),
      title: `${id} in ${name ?? ref ?? 'a component'}${
        version ? `@${version}` : ''
      }`,
      ...(Object.keys(packageInfo).length > 0 ? { package: packageInfo } : {}),
    };
  });
}

/** Every JSON component with a `bom-ref`, nested ones included. */
function indexComponents(
  component: JsonReader,
  index: CdxComponentIndex,
): void {
  if (component.isMissing()) return;
  const ref = component.get('bom-ref').optionalString();
  if (ref !== undefined && !index.has(ref)) {
    index.set(ref, {
      purl: component.get('purl').optionalString(),
      name: component.get('name').optionalString(),
      version: component.get('version').optionalString(),
    });
  }
  for (const child of component.get('components').optionalArray()) {
    indexComponents(child, index);
  }
}

/** `metadata.tools`: 1.4 array of {vendor,name}; 1.5+ {components,services}. */
function toolNames(root: JsonReader): Array<string | undefined> {
  const metadata = root.get('metadata');
  if (metadata.isMissing()) return [];
  const tools = metadata.get('tools');
  let candidates: JsonReader[] = [];
  if (Array.isArray(tools.value)) {
    candidates = tools.array();
  } else if (tools.isObject()) {
    candidates = [
      ...tools.get('components').optionalArray(),
      ...tools.get('services').optionalArray(),
    ];
  } else if (!tools.isMissing()) {
    tools.array(); // throws "expected an array"
  }
  return candidates.map(tool => tool.get('name').optionalString());
}

/**
 * `analysis.response`, read leniently: newer than the rest of what is read
 * here, so a producer that writes it otherwise loses it (with a warning),
 * not the report.
 */
function responsesOf(
  analysis: JsonReader,
  warnings: ReportWarning[],
): string[] {
  const response = analysis.get('response');
  if (response.isMissing()) return [];
  if (
    Array.isArray(response.value) &&
    response.value.every(item => typeof item === 'string')
  ) {
    return response.value as string[];
  }
  warnings.push({
    path: response.path,
    message: 'expected an array of strings; the VEX response is left out',
  });
  return [];
}

/** One JSON vulnerability in the shape-neutral form; type errors at their JSON path. */
function vulnerabilityOf(
  vulnerability: JsonReader,
  warnings: ReportWarning[],
): CdxVulnerability {
  const id = vulnerability.get('id').optionalString();
  const referenceIds = vulnerability
    .get('references')
    .optionalArray()
    .map(reference => reference.get('id').optionalString())
    .filter((referenceId): referenceId is string => !!referenceId);
  const cwes = vulnerability
    .get('cwes')
    .optionalArray()
    .map(cwe => cwe.number());
  const ratings = vulnerability
    .get('ratings')
    .optionalArray()
    .map(rating => ({
      method: rating.get('method').optionalString(),
      severity: rating.get('severity').optionalString(),
      score: rating.get('score').optionalNumeric(),
      vector: rating.get('vector').optionalString(),
    }));
  const analysis = vulnerability.get('analysis');
  return {
    id,
    bomRef: vulnerability.get('bom-ref').optionalString(),
    referenceIds,
    ratings,
    cwes,
    description: vulnerability.get('description').optionalString(),
    detail: vulnerability.get('detail').optionalString(),
    recommendation: vulnerability.get('recommendation').optionalString(),
    advisories: vulnerability
      .get('advisories')
      .optionalArray()
      .map(advisory => ({
        url: advisory.get('url').optionalString(),
        title: advisory.get('title').optionalString(),
      })),
    analysis: analysis.isMissing()
      ? undefined
      : {
          state: analysis.get('state').optionalString(),
          justification: analysis.get('justification').optionalString(),
          responses: responsesOf(analysis, warnings),
          detail: analysis.get('detail').optionalString(),
        },
    affects: vulnerability
      .get('affects')
      .optionalArray()
      .map(affect => ({
        ref: affect.get('ref').string(),
        versions: affect
          .get('versions')
          .optionalArray()
          .map(entry => ({
            version: entry.get('version').optionalString(),
            range: entry.get('range').optionalString(),
            status: entry.get('status').optionalString(),
          })),
      })),
  };
}

function read(document: unknown): ReportReading {
  const root = new JsonReader(LABEL, document);
  const bomFormat = root.get('bomFormat');
  if (bomFormat.value !== 'CycloneDX') {
    throw new ReportParseError(LABEL, bomFormat.path, 'expected "CycloneDX"');
  }
  const specVersion = root.get('specVersion');
  if (
    typeof specVersion.value !== 'string' ||
    !SPEC_VERSIONS.includes(specVersion.value)
  ) {
    throw new ReportParseError(
      LABEL,
      specVersion.path,
      `unsupported version ${JSON.stringify(
        specVersion.value ?? null,
      )}; expected 1.2 to 1.7`,
    );
  }

  const components: CdxComponentIndex = new Map();
  const metadata = root.get('metadata');
  if (!metadata.isMissing()) {
    indexComponents(metadata.get('component'), components);
  }
  for (const component of root.get('components').optionalItems()) {
    indexComponents(component, components);
  }
  const warnings: ReportWarning[] = [];
  return {
    format: 'cyclonedx',
    scanner: cyclonedxScanner(toolNames(root)),
    findings: findingsOf(root, components, warnings),
    warnings,
  };
}

function* findingsOf(
  root: JsonReader,
  components: CdxComponentIndex,
  warnings: ReportWarning[],
): Generator<ParsedFinding> {
  for (const vulnerability of root.get('vulnerabilities').optionalItems()) {
    yield* cyclonedxFindings(
      vulnerabilityOf(vulnerability, warnings),
      components,
      () => {
        const idReader = vulnerability.get('id');
        idReader.string(); // throws "expected a string" at the id's path
        throw new ReportParseError(LABEL, idReader.path, 'must not be empty');
      },
    );
  }
}

/** CycloneDX JSON 1.2 to 1.7: BOMs and VEX documents with `vulnerabilities`. */
export const cyclonedxParser = reportParser({
  format: 'cyclonedx',
  label: LABEL,
  detect(document: unknown): boolean {
    return (
      typeof document === 'object' &&
      document !== null &&
      !Array.isArray(document) &&
      (document as Record<string, unknown>).bomFormat === 'CycloneDX'
    );
  },
  read,
});
