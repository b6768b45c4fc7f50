import { Severity } from 'backstage-plugin-security-observations-common';
import {
  digest,
  identityKey,
  normalizePath,
  normalizeSnippet,
} from './identity';
import { fenced } from './markdown';
import { JsonReader, unique } from './read';
import { redactSecrets } from './redact';
import { ReportParseError } from './ReportParseError';
import { severityFromName, severityFromScore } from './severity';
import { ParsedFinding, ReportReading, reportParser } from './types';

/**
 * SARIF 2.1.0 (CodeQL, Semgrep, ESLint, Trivy, Gitleaks and anything else
 * that writes it). See `docs/formats/sarif.md` for what is read and how the
 * identity key and the severity are made.
 */

const LABEL = 'SARIF';
const TITLE_MAX = 200;

/** Tool names whose SARIF snippets hold the secret itself. */
const SECRET_SCANNERS = /gitleaks|trufflehog|detect-secrets/;
const SECRET_TAGS = new Set(['secret', 'secrets']);

const VULNERABILITY_ID_PATTERNS: Array<[RegExp, (id: string) => string]> = [
  [/\bCVE-\d{4}-\d{4,}\b/gi, id => id.toUpperCase()],
  [/\bGHSA(?:-[0-9a-z]{4}){3}\b/gi, id => `GHSA${id.slice(4).toLowerCase()}`],
  [/\b(?:GO|RUSTSEC|PYSEC|OSV)-\d{4}-\d+\b/gi, id => id.toUpperCase()],
];

interface RuleInfo {
  id?: string;
  name?: string;
  shortDescription?: string;
  help?: string;
  defaultLevel?: string;
  securitySeverity?: Severity;
  tags: string[];
  messageStrings: JsonReader;
}

interface Component {
  name?: string;
  rules: JsonReader[];
  byId: Map<string, JsonReader>;
}

/** The property of an object that may itself be missing. */
function field(reader: JsonReader, key: string): JsonReader {
  if (reader.isMissing()) {
    return new JsonReader(LABEL, undefined, `${reader.path}.${key}`);
  }
  return reader.get(key);
}

function nonEmpty(text: string | undefined): string | undefined {
  return text !== undefined && text.trim() !== '' ? text : undefined;
}

/**
 * Semgrep CE writes `requires login` in place of fingerprints and snippets
 * when logged out; the same text on every result identifies nothing.
 */
function isPlaceholder(text: string): boolean {
  return /^\s*requires login\s*$/i.test(text);
}

/** Snippet text worth using: not empty and not a placeholder. */
function snippetText(text: string | undefined): string | undefined {
  return text !== undefined && !isPlaceholder(text)
    ? nonEmpty(text)
    : undefined;
}

/** `CodeQL` -> `codeql`, `Semgrep OSS` -> `semgrep-oss`. */
function toolSlug(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, '-') || 'sarif';
}

/** `js/sql-injection/1` -> `js/sql-injection`. */
function baseRuleId(id: string): string | undefined {
  const match = /^(.+)\/\d+$/.exec(id);
  return match ? match[1] : undefined;
}

/** Strings of a free-form property bag list; anything else is ignored. */
function tagsOf(properties: JsonReader): string[] {
  if (!properties.isObject()) return [];
  const tags = properties.get('tags').value;
  return Array.isArray(tags)
    ? tags.filter((tag): tag is string => typeof tag === 'string')
    : [];
}

/**
 * `properties['security-severity']`: a CVSS-like score, as a number or a
 * numeric string; some tools (Semgrep OSS) write a name such as `HIGH`.
 */
function securitySeverityOf(properties: JsonReader): Severity | undefined {
  if (!properties.isObject()) return undefined;
  const raw = properties.get('security-severity').value;
  if (typeof raw === 'number' && Number.isFinite(raw)) {
    return severityFromScore(raw);
  }
  if (typeof raw === 'string' && raw.trim() !== '') {
    const score = Number(raw.trim());
    if (Number.isFinite(score)) return severityFromScore(score);
    const named = severityFromName(raw);
    if (named !== 'unknown') return named;
  }
  return undefined;
}

/** `external/cwe/cwe-079` -> `CWE-79`, `CWE-89: SQL Injection` -> `CWE-89`. */
function cweFromTag(tag: string): string | undefined {
  const match = /^(?:external\/cwe\/)?cwe-0*(\d+)(?!\d)/i.exec(tag.trim());
  return match ? `CWE-${match[1]}` : undefined;
}

function vulnerabilityIdsIn(text: string | undefined): string[] {
  if (!text) return [];
  const ids: string[] = [];
  for (const [pattern, normalize] of VULNERABILITY_ID_PATTERNS) {
    for (const match of text.match(pattern) ?? []) {
      ids.push(normalize(match));
    }
  }
  return ids;
}

function readRule(rule: JsonReader): RuleInfo {
  const properties = rule.get('properties');
  const help = rule.get('help');
  const fullDescription = rule.get('fullDescription');
  return {
    id: rule.get('id').optionalString(),
    name: nonEmpty(rule.get('name').optionalString()),
    shortDescription: nonEmpty(
      field(rule.get('shortDescription'), 'text').optionalString(),
    ),
    help:
      nonEmpty(field(help, 'markdown').optionalString()) ??
      nonEmpty(field(help, 'text').optionalString()) ??
      nonEmpty(field(fullDescription, 'markdown').optionalString()) ??
      nonEmpty(field(fullDescription, 'text').optionalString()),
    defaultLevel: field(
      rule.get('defaultConfiguration'),
      'level',
    ).optionalString(),
    securitySeverity: securitySeverityOf(properties),
    tags: tagsOf(properties),
    messageStrings: rule.get('messageStrings'),
  };
}

function readComponent(component: JsonReader): Component {
  const rules = component.get('rules').optionalArray();
  const byId = new Map<string, JsonReader>();
  for (const rule of rules) {
    const id = rule.get('id').optionalString();
    if (id !== undefined && !byId.has(id)) byId.set(id, rule);
  }
  return { name: component.get('name').optionalString(), rules, byId };
}

function titleOf(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > TITLE_MAX
    ? `${trimmed.slice(0, TITLE_MAX - 1).trimEnd()}…`
    : trimmed;
}

/**
 * Sorted `key=value` pairs of a fingerprint object; [] when absent, empty or
 * holding only placeholders.
 */
function fingerprintPairs(fingerprints: JsonReader): string[] {
  if (fingerprints.isMissing()) return [];
  return fingerprints
    .entries()
    .map(([key, value]) => [key, value.string()])
    .filter(([, value]) => value.trim() !== '' && !isPlaceholder(value))
    .map(([key, value]) => `${key}=${value}`)
    .sort();
}

function isSuppressed(result: JsonReader): boolean {
  return result
    .get('suppressions')
    .optionalArray()
    .some(suppression => {
      const status = suppression.get('status').optionalString();
      return status === undefined || status === 'accepted';
    });
}

/** Trivy writes the package into the message; there is no SARIF field. */
function trivyPackage(message: string | undefined): ParsedFinding['package'] {
  if (!message) return undefined;
  const line = (label: string) =>
    nonEmpty(new RegExp(`^${label}: *(.*)$`, 'm').exec(message)?.[1]?.trim());
  const name = line('Package');
  if (!name) return undefined;
  return {
    name,
    version: line('Installed Version'),
    fixedVersion: line('Fixed Version'),
  };
}

class RunParser {
  readonly slug: string;
  private readonly driver: Component;
  private readonly extensions: Component[];
  private readonly ruleInfos = new Map<JsonReader, RuleInfo>();
  private readonly artifacts: JsonReader[];
  private readonly baseUris: string[];
  private readonly image: string | undefined;
  private readonly secretScanner: boolean;

  constructor(private readonly run: JsonReader) {
    const tool = run.get('tool');
    const driver = tool.get('driver');
    this.slug = toolSlug(driver.get('name').string());
    this.driver = readComponent(driver);
    this.extensions = tool.get('extensions').optionalArray().map(readComponent);
    this.artifacts = run.get('artifacts').optionalArray();
    const bases = run.get('originalUriBaseIds');
    this.baseUris = bases.isMissing()
      ? []
      : bases
          .entries()
          .map(([, base]) => field(base, 'uri').optionalString())
          .filter((uri): uri is string => !!uri && /^file:.*\/$/i.test(uri));
    const properties = run.get('properties');
    const imageName = properties.isObject()
      ? properties.get('imageName').value
      : undefined;
    this.image =
      this.slug.includes('trivy') && typeof imageName === 'string'
        ? imageName
        : undefined;
    this.secretScanner = SECRET_SCANNERS.test(this.slug);
  }

  *findings(): Generator<ParsedFinding> {
    for (const result of this.run.get('results').optionalItems()) {
      const kind = result.get('kind').optionalString();
      if (kind === 'pass' || kind === 'notApplicable') continue;
      if (isSuppressed(result)) continue;
      yield this.parseResult(result);
    }
  }

  private info(rule: JsonReader): RuleInfo {
    let info = this.ruleInfos.get(rule);
    if (!info) {
      info = readRule(rule);
      this.ruleInfos.set(rule, info);
    }
    return info;
  }

  /**
   * The rule a result names: by index, then by id, then by the id without a
   * `/N` suffix, in the tool component the reference names (the driver when
   * it names none), then by id in every component.
   */
  private findRule(result: JsonReader): RuleInfo | undefined {
    const ref = result.get('rule');
    const id =
      result.get('ruleId').optionalString() ??
      field(ref, 'id').optionalString();
    const index =
      result.get('ruleIndex').optionalNumber() ??
      field(ref, 'index').optionalNumber();
    const toolComponent = field(ref, 'toolComponent');
    const componentIndex = field(toolComponent, 'index').optionalNumber();
    const componentName = field(toolComponent, 'name').optionalString();

    let component: Component | undefined = this.driver;
    if (componentIndex !== undefined) {
      component = Number.isInteger(componentIndex)
        ? this.extensions[componentIndex]
        : undefined;
    } else if (componentName !== undefined) {
      component =
        this.extensions.find(extension => extension.name === componentName) ??
        (this.driver.name === componentName ? this.driver : undefined);
    }

    const ids = (id === undefined ? [] : [id, baseRuleId(id)]).filter(
      (each): each is string => each !== undefined,
    );
    if (component && index !== undefined && Number.isInteger(index)) {
      const byIndex = component.rules[index];
      if (byIndex) {
        const info = this.info(byIndex);
        if (
          id === undefined ||
          (info.id !== undefined && ids.includes(info.id))
        ) {
          return info;
        }
      }
    }
    const searched = component
      ? [component, this.driver, ...this.extensions]
      : [this.driver, ...this.extensions];
    for (const candidate of ids) {
      for (const each of searched) {
        const rule = each.byId.get(candidate);
        if (rule) return this.info(rule);
      }
    }
    return undefined;
  }

  private messageOf(result: JsonReader, rule: RuleInfo | undefined) {
    const message = result.get('message');
    const text =
      nonEmpty(field(message, 'text').optionalString()) ??
      nonEmpty(field(message, 'markdown').optionalString());
    if (text !== undefined) return text;
    const id = field(message, 'id').optionalString();
    if (id === undefined || !rule) return undefined;
    const template = field(rule.messageStrings, id);
    const format =
      nonEmpty(field(template, 'text').optionalString()) ??
      nonEmpty(field(template, 'markdown').optionalString());
    if (format === undefined) return undefined;
    const args = field(message, 'arguments')
      .optionalArray()
      .map(argument => argument.string());
    return format.replace(
      /\{(\d+)\}/g,
      (whole, n: string) => args[Number(n)] ?? whole,
    );
  }

  private uriOf(artifactLocation: JsonReader): string | undefined {
    let uri = field(artifactLocation, 'uri').optionalString();
    if (uri === undefined) {
      const index = field(artifactLocation, 'index').optionalNumber();
      const artifact =
        index !== undefined && Number.isInteger(index)
          ? this.artifacts[index]
          : undefined;
      if (artifact) {
        uri = field(artifact.get('location'), 'uri').optionalString();
      }
    }
    if (uri === undefined) return undefined;
    const base = this.baseUris.find(prefix => uri!.startsWith(prefix));
    const path = normalizePath(base ? uri.slice(base.length) : uri);
    return path === '' ? undefined : path;
  }

  private parseResult(result: JsonReader): ParsedFinding {
    const rule = this.findRule(result);
    const ruleId =
      rule?.id ??
      result.get('ruleId').optionalString() ??
      field(result.get('rule'), 'id').optionalString();
    const message = this.messageOf(result, rule);
    const resultProperties = result.get('properties');
    const tags = [...(rule?.tags ?? []), ...tagsOf(resultProperties)];

    // Where: the first location.
    const locations = result.get('locations').optionalArray();
    const first = locations[0];
    const physical = first ? first.get('physicalLocation') : undefined;
    const region = physical ? field(physical, 'region') : undefined;
    const file = physical
      ? this.uriOf(field(physical, 'artifactLocation'))
      : undefined;
    const startLine = region
      ? field(region, 'startLine').optionalNumber()
      : undefined;
    const endLine = region
      ? field(region, 'endLine').optionalNumber() ?? startLine
      : undefined;
    const snippet = region
      ? snippetText(field(field(region, 'snippet'), 'text').optionalString())
      : undefined;
    const contextSnippet = physical
      ? snippetText(
          field(
            field(field(physical, 'contextRegion'), 'snippet'),
            'text',
          ).optionalString(),
        )
      : undefined;
    const logical = first
      ? field(first, 'logicalLocations').optionalArray()[0]
      : undefined;
    const logicalName = logical
      ? field(logical, 'fullyQualifiedName').optionalString() ??
        field(logical, 'name').optionalString()
      : undefined;

    // Secret scanners report the secret as the snippet.
    const isSecret =
      this.secretScanner ||
      tags.some(tag => SECRET_TAGS.has(tag.trim().toLowerCase()));
    const secrets = isSecret ? this.secretsOf(locations) : [];
    const redact = (text: string) => redactSecrets(text, secrets) ?? text;

    const pkg = this.slug.includes('trivy') ? trivyPackage(message) : undefined;

    // Severity: security-severity, else the level.
    const severity =
      securitySeverityOf(resultProperties) ??
      rule?.securitySeverity ??
      severityFromName(
        result.get('level').optionalString() ?? rule?.defaultLevel ?? 'warning',
      );

    // Identity: fingerprints, else partial fingerprints, else the location.
    const fingerprints = fingerprintPairs(result.get('fingerprints'));
    const partialFingerprints = fingerprintPairs(
      result.get('partialFingerprints'),
    );
    const where = file ?? logicalName;
    const locationKey = (...anchor: Array<string | number | undefined>) =>
      identityKey(this.slug, ruleId, 'location', where, pkg?.name, ...anchor);
    let key: string;
    if (fingerprints.length > 0) {
      key = identityKey(this.slug, ruleId, 'fingerprints', ...fingerprints);
    } else if (partialFingerprints.length > 0) {
      key = identityKey(
        this.slug,
        ruleId,
        'partialFingerprints',
        where,
        ...partialFingerprints,
      );
    } else if (snippet !== undefined && !isSecret) {
      key = locationKey('snippet', digest(normalizeSnippet(snippet)));
    } else {
      key = locationKey('line', startLine);
    }

    // Redacted before it is cut, so no part of a secret survives the cut.
    const title = titleOf(
      redact(
        rule?.shortDescription ??
          rule?.name ??
          message
            ?.split('\n')
            .map(line => line.trim())
            .find(line => line !== '') ??
          ruleId ??
          'SARIF result',
      ),
    );

    const sections: string[] = [];
    if (message !== undefined) sections.push(message.trim());
    if (rule?.help !== undefined && rule.help.trim() !== message?.trim()) {
      sections.push(rule.help.trim());
    }
    const shownSnippet = snippet ?? contextSnippet;
    if (shownSnippet !== undefined && !isSecret) {
      sections.push(fenced(shownSnippet));
    }

    const location: ParsedFinding['location'] = {};
    if (file !== undefined) location.file = file;
    if (startLine !== undefined) location.startLine = startLine;
    if (endLine !== undefined) location.endLine = endLine;
    if (this.image !== undefined) location.image = this.image;

    const finding: ParsedFinding = {
      identityKey: isSecret ? redact(key) : key,
      title,
      description: redact(sections.join('\n\n')),
      severity,
      status: 'open',
      vulnerabilityIds: unique(vulnerabilityIdsIn(ruleId)),
      cwes: unique(tags.map(cweFromTag).filter((cwe): cwe is string => !!cwe)),
    };
    if (ruleId !== undefined) finding.ruleId = ruleId;
    if (pkg) finding.package = pkg;
    if (Object.keys(location).length > 0) finding.location = location;
    return finding;
  }

  /** Snippet texts of a secret result, whole and line by line. */
  private secretsOf(locations: JsonReader[]): string[] {
    const secrets: string[] = [];
    for (const location of locations) {
      const physical = location.get('physicalLocation');
      for (const regionKey of ['region', 'contextRegion']) {
        const text = field(
          field(field(physical, regionKey), 'snippet'),
          'text',
        ).optionalString();
        if (text === undefined) continue;
        secrets.push(text, text.trim());
        for (const line of text.split(/\r?\n/)) secrets.push(line.trim());
      }
    }
    // Longest first, so a line never leaves part of the whole secret behind.
    return unique(secrets)
      .filter(secret => secret !== '')
      .sort((a, b) => b.length - a.length);
  }
}

function checkVersion(root: JsonReader): void {
  const version = root.get('version').optionalString();
  if (version === undefined) {
    const schema = root.get('$schema').value;
    if (typeof schema === 'string' && /2\.1/.test(schema)) return;
    throw new ReportParseError(LABEL, 'version', 'missing; expected "2.1.0"');
  }
  if (!/^2\.1(\.|$)/.test(version)) {
    throw new ReportParseError(
      LABEL,
      'version',
      `unsupported version ${JSON.stringify(
        version.slice(0, 40),
      )}; only SARIF 2.1.x is supported`,
    );
  }
}

export const sarifParser = reportParser({
  format: 'sarif',
  label: LABEL,

  detect(document: unknown): boolean {
    if (
      typeof document !== 'object' ||
      document === null ||
      Array.isArray(document)
    ) {
      return false;
    }
    const { runs, version, $schema } = document as Record<string, unknown>;
    return (
      Array.isArray(runs) &&
      ((typeof version === 'string' && version.startsWith('2.1')) ||
        (typeof $schema === 'string' && /sarif/i.test($schema)))
    );
  },

  read(document: unknown): ReportReading {
    const root = new JsonReader(LABEL, document);
    if (!root.isObject()) {
      throw new ReportParseError(LABEL, '', 'expected a JSON object');
    }
    checkVersion(root);
    const runs = root
      .get('runs')
      .array()
      .map(run => new RunParser(run));
    return {
      format: 'sarif',
      scanner: runs[0]?.slug ?? 'sarif',
      findings: (function* findings() {
        for (const run of runs) yield* run.findings();
      })(),
    };
  },
});
