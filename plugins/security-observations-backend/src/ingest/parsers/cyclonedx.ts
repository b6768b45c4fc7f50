import { Severity } from 'backstage-plugin-security-observations-common';
import { PackageURL } from 'packageurl-js';
import { purlWithoutVersion, uniqueKey } from './identity';
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
  reportParser,
} from './types';

const LABEL = 'CycloneDX';
const SPEC_VERSIONS = ['1.4', '1.5', '1.6'];

interface Component {
  purl?: string;
  name?: string;
  version?: string;
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

/** Every component with a `bom-ref`, nested ones included. */
function indexComponents(
  component: JsonReader,
  index: Map<string, Component>,
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

/** The component a ref names; a purl ref that names nothing is read as a purl. */
function resolveRef(
  ref: string,
  index: Map<string, Component>,
): Component | undefined {
  const component = index.get(ref);
  if (component) return component;
  if (ref.startsWith('pkg:')) {
    try {
      const purl = PackageURL.fromString(ref);
      return {
        purl: ref,
        name: purl.name,
        version: purl.version ?? undefined,
      };
    } catch {
      return { purl: ref };
    }
  }
  return undefined;
}

/** `metadata.tools`: 1.4 array of {vendor,name}; 1.5+ {components,services}. */
function scannerName(root: JsonReader): string {
  const metadata = root.get('metadata');
  if (metadata.isMissing()) return 'cyclonedx';
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
  for (const tool of candidates) {
    const name = tool.get('name').optionalString();
    const result = name ? slug(name) : '';
    if (result) return result;
  }
  return 'cyclonedx';
}

function methodRank(method: string | undefined): number {
  const rank = method ? METHOD_PREFERENCE.indexOf(method) : -1;
  return rank === -1 ? METHOD_PREFERENCE.length : rank;
}

/**
 * The most preferred rating that says something: its severity name, else its
 * score, else its vector.
 */
function severityOf(vulnerability: JsonReader): Severity {
  const ratings = vulnerability
    .get('ratings')
    .optionalArray()
    .map((rating, position) => ({
      rating,
      method: rating.get('method').optionalString(),
      position,
    }))
    .sort(
      (a, b) =>
        methodRank(a.method) - methodRank(b.method) || a.position - b.position,
    );
  for (const { rating, method } of ratings) {
    const byName = severityFromName(rating.get('severity').optionalString());
    if (byName !== 'unknown') return byName;
    const score = rating.get('score').optionalNumeric();
    if (score !== undefined) return severityFromScore(score);
    let vector = rating.get('vector').optionalString()?.trim();
    if (vector) {
      const prefix = method ? VECTOR_PREFIX.get(method) : undefined;
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

function fixedVersionOf(affect: JsonReader): string | undefined {
  for (const entry of affect.get('versions').optionalArray()) {
    if (entry.get('status').optionalString() !== 'unaffected') continue;
    const version =
      entry.get('version').optionalString() ??
      versionFromRange(entry.get('range').optionalString());
    if (version) return version;
  }
  return undefined;
}

function describe(vulnerability: JsonReader): string {
  const parts: string[] = [];
  const description = vulnerability.get('description').optionalString();
  const detail = vulnerability.get('detail').optionalString();
  const recommendation = vulnerability.get('recommendation').optionalString();
  if (description?.trim()) parts.push(description.trim());
  if (detail?.trim()) parts.push(detail.trim());
  if (recommendation?.trim()) {
    parts.push(`**Recommendation:** ${recommendation.trim()}`);
  }
  const advisories = vulnerability
    .get('advisories')
    .optionalArray()
    .flatMap(advisory => {
      const url = advisory.get('url').optionalString();
      const title = advisory.get('title').optionalString();
      return url ? [`- ${mdLink(title?.trim() || url, url)}`] : [];
    });
  if (advisories.length > 0) {
    parts.push(`**Advisories:**\n\n${advisories.join('\n')}`);
  }
  const analysis = vulnerability.get('analysis');
  const analysisDetail = analysis.isMissing()
    ? undefined
    : analysis.get('detail').optionalString();
  if (analysisDetail?.trim()) {
    parts.push(`**Analysis:** ${analysisDetail.trim()}`);
  }
  return parts.join('\n\n');
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
      )}; expected 1.4, 1.5 or 1.6`,
    );
  }

  const components = new Map<string, Component>();
  const metadata = root.get('metadata');
  if (!metadata.isMissing()) {
    indexComponents(metadata.get('component'), components);
  }
  for (const component of root.get('components').optionalItems()) {
    indexComponents(component, components);
  }
  return {
    format: 'cyclonedx',
    scanner: scannerName(root),
    findings: findingsOf(root, components),
  };
}

function* findingsOf(
  root: JsonReader,
  components: Map<string, Component>,
): Generator<ParsedFinding> {
  const seen = new Map<string, number>();
  for (const vulnerability of root.get('vulnerabilities').optionalItems()) {
    const idReader = vulnerability.get('id');
    const referenceIds = vulnerability
      .get('references')
      .optionalArray()
      .map(reference => reference.get('id').optionalString())
      .filter((id): id is string => !!id);
    const id =
      idReader.optionalString() ||
      referenceIds[0] ||
      vulnerability.get('bom-ref').optionalString();
    if (!id) {
      idReader.string(); // throws "expected a string" at the id's path
      throw new ReportParseError(LABEL, idReader.path, 'must not be empty');
    }
    const vulnerabilityIds = [...new Set([id, ...referenceIds])];
    const cwes = [
      ...new Set(
        vulnerability
          .get('cwes')
          .optionalArray()
          .map(cwe => `CWE-${cwe.number()}`),
      ),
    ];
    const severity = severityOf(vulnerability);
    const description = describe(vulnerability);

    const analysis = vulnerability.get('analysis');
    const state = analysis.isMissing()
      ? undefined
      : analysis.get('state').optionalString();
    const status: ParserStatus =
      (state !== undefined && VEX_STATUS.get(state)) || 'open';
    const justification =
      status === 'not_affected'
        ? analysis.get('justification').optionalString()
        : undefined;

    const base = {
      description,
      severity,
      status,
      ...(justification ? { justification } : {}),
      vulnerabilityIds,
      cwes,
    };

    const affects = vulnerability.get('affects').optionalArray();
    if (affects.length === 0) {
      yield {
        ...base,
        identityKey: uniqueKey(seen, [id]),
        title: id,
      };
      continue;
    }
    for (const affect of affects) {
      const ref = affect.get('ref').string();
      const component = resolveRef(ref, components);
      const fixedVersion = fixedVersionOf(affect);
      const name = component?.name;
      const version = component?.version;
      const packageInfo = {
        ...(component?.purl ? { purl: component.purl } : {}),
        ...(name ? { name } : {}),
        ...(version ? { version } : {}),
        ...(fixedVersion ? { fixedVersion } : {}),
      };
      yield {
        ...base,
        identityKey: uniqueKey(seen, [
          id,
          component?.purl ? purlWithoutVersion(component.purl) : ref,
        ]),
        title: `${id} in ${name ?? ref}${version ? `@${version}` : ''}`,
        ...(Object.keys(packageInfo).length > 0
          ? { package: packageInfo }
          : {}),
      };
    }
  }
}

/** CycloneDX 1.4 to 1.6 BOMs and VEX documents with `vulnerabilities`. */
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
