import { hash } from 'node:crypto';
import { Severity } from 'backstage-plugin-security-observations-common';
import { LazyJsonArray } from '../json/LazyJsonArray';
import {
  digest,
  identityKey,
  normalizePath,
  normalizeSnippet,
} from './identity';
import { gitleaksIdentityParts } from './gitleaksIdentity';
import { fenced } from './markdown';
import { truncateText } from '../storableText';
import { isRecord, JsonReader, unique } from './read';
import { redactSecrets } from './redact';
import { ReportParseError } from './ReportParseError';
import { severityFromName, severityFromScore } from './severity';
import {
  ParsedFinding,
  ReportReading,
  ReportWarning,
  reportParser,
} from './types';

/**
 * SARIF 2.1.0 (CodeQL, Semgrep, ESLint, Trivy, Gitleaks, Flawfinder,
 * mobsfscan, Black Duck and anything else that writes it). See
 * `docs/formats/sarif.md` for what is read, what a bent schema costs, and
 * how the identity key and the severity are made.
 */

const LABEL = 'SARIF';
const TITLE_MAX = 200;

/** Tool names whose SARIF snippets hold the secret itself. */
const SECRET_SCANNERS = /gitleaks|trufflehog|detect-secrets/;
const SECRET_TAGS = new Set(['secret', 'secrets']);

/**
 * Fingerprint kinds (the key without its `/v1`) that hash only the text of
 * the line: Flawfinder's `contextHash` is the SHA-256 of the stripped line,
 * GitHub's `primaryLocationLineHash` a hash of the line and its neighbours.
 * Identical lines in two files give the same value, so the file always joins
 * such a fingerprint in the identity.
 */
const LINE_TEXT_FINGERPRINTS = new Set([
  'contexthash',
  'primarylocationlinehash',
]);

/**
 * Fingerprint kinds that hash the whole file (or its path) rather than the
 * result: every finding in the file has the same value, and with a content
 * hash any edit anywhere in the file would close and reopen all of them.
 * `scanFileHash` is ShiftLeft/AppThreat Scan's; the pattern catches the
 * names other tools give such hashes (`fileHash`, `artifactSha256`, ...),
 * not `source...`, which may name a taint source.
 */
const FILE_WIDE_FINGERPRINT =
  /^(?:scanFileHash|(?:file|artifact)(?:Content|Path)?(?:Hash|Sha\d*|Digest|Checksum))$/i;

const VULNERABILITY_ID_PATTERNS: Array<[RegExp, (id: string) => string]> = [
  [/\bCVE-\d{4}-\d{4,}\b/gi, id => id.toUpperCase()],
  [/\bGHSA(?:-[0-9a-z]{4}){3}\b/gi, id => `GHSA${id.slice(4).toLowerCase()}`],
  [/\b(?:GO|RUSTSEC|PYSEC|OSV)-\d{4}-\d+\b/gi, id => id.toUpperCase()],
  // Black Duck Security Advisories: `BDSA-2021-1002 (CVE-2021-23337)`.
  [/\bBDSA-\d{4}-\d+\b/gi, id => id.toUpperCase()],
];

/** The JSON type of a value, for warnings. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value) || value instanceof LazyJsonArray) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Reads the optional parts of a report. A value of the wrong type is
 * skipped with a warning at its JSON path: a vendor that bends the schema
 * (Black Duck's object-valued fingerprints) costs that value, never the
 * finding or the report. Without a warnings list it skips silently (the
 * second read of the fingerprints, whose values the first read reports).
 */
class Optional {
  constructor(private readonly warnings?: ReportWarning[]) {}

  warn(reader: JsonReader, message: string): void {
    this.warnings?.push({ path: reader.path, message });
  }

  skip(reader: JsonReader, expected: string, consequence?: string): undefined {
    this.warn(
      reader,
      `expected ${expected}, found ${jsonType(reader.value)}; ${
        consequence ?? 'skipped'
      }`,
    );
    return undefined;
  }

  /**
   * The value at `key` of `parent`, an object reader, of any type; undefined
   * when missing or null (or when `parent` is undefined). Only own
   * properties count, so a key such as `constructor` finds nothing.
   */
  value(parent: JsonReader | undefined, key: string): JsonReader | undefined {
    if (!parent || !Object.hasOwn(parent.value as object, key)) {
      return undefined;
    }
    const reader = parent.get(key);
    return reader.isMissing() ? undefined : reader;
  }

  object(parent: JsonReader | undefined, key: string): JsonReader | undefined {
    const reader = this.value(parent, key);
    if (!reader) return undefined;
    return reader.isObject() ? reader : this.skip(reader, 'an object');
  }

  string(parent: JsonReader | undefined, key: string): string | undefined {
    const reader = this.value(parent, key);
    if (!reader) return undefined;
    return typeof reader.value === 'string'
      ? reader.value
      : this.skip(reader, 'a string');
  }

  number(parent: JsonReader | undefined, key: string): number | undefined {
    const reader = this.value(parent, key);
    if (!reader) return undefined;
    return typeof reader.value === 'number' && Number.isFinite(reader.value)
      ? reader.value
      : this.skip(reader, 'a number');
  }

  /** The items of an optional array; [] when missing or not an array. */
  array(parent: JsonReader | undefined, key: string): JsonReader[] {
    const reader = this.value(parent, key);
    if (!reader) return [];
    if (Array.isArray(reader.value)) return reader.array();
    this.skip(reader, 'an array');
    return [];
  }

  /** The items of an optional array that are objects; others are skipped. */
  objects(parent: JsonReader | undefined, key: string): JsonReader[] {
    return this.array(parent, key).filter(item =>
      item.isObject() ? true : this.skip(item, 'an object'),
    );
  }

  /** The string items of an optional array; others are skipped. */
  strings(parent: JsonReader | undefined, key: string): string[] {
    const strings: string[] = [];
    for (const item of this.array(parent, key)) {
      if (typeof item.value === 'string') strings.push(item.value);
      else this.skip(item, 'a string');
    }
    return strings;
  }

  /** The entries of an optional object. */
  entries(
    parent: JsonReader | undefined,
    key: string,
  ): Array<[string, JsonReader]> {
    return this.object(parent, key)?.entries() ?? [];
  }
}

interface RuleInfo {
  id?: string;
  name?: string;
  shortDescription?: string;
  help?: string;
  defaultLevel?: string;
  securitySeverity?: Severity;
  tags: string[];
  cwes: string[];
  messageStrings?: JsonReader;
}

interface Component {
  name?: string;
  /** By index; undefined where the report has something else than a rule. */
  rules: Array<JsonReader | undefined>;
  byId: Map<string, JsonReader>;
}

/** How a result names its rule. */
interface RuleRef {
  id?: string;
  index?: number;
  componentIndex?: number;
  componentName?: string;
}

/** One of a result's locations, as far as it could be read. */
interface Place {
  file?: string;
  startLine?: number;
  endLine?: number;
  /** `region.snippet`, when worth using. */
  snippet?: string;
  contextSnippet?: string;
  logicalName?: string;
  /** `region.snippet.text` as written: Gitleaks puts the secret there. */
  regionText?: string;
  /** Every snippet text as written, for the redaction of secrets. */
  texts: string[];
}

/** What the properties bag of a rule or result says. */
interface Properties {
  tags: string[];
  securitySeverity?: Severity;
  cwes: string[];
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

/** `contextHash/v1` -> `contextHash`: the kind of a fingerprint. */
function fingerprintKind(key: string): string {
  return key.replace(/\/v?\d+$/i, '');
}

/** `external/cwe/cwe-079` -> `CWE-79`, `CWE-89: SQL Injection` -> `CWE-89`. */
function cweFromTag(tag: string): string | undefined {
  const match = /^(?:external\/cwe\/)?cwe-0*(\d+)(?!\d)/i.exec(tag.trim());
  return match ? `CWE-${match[1]}` : undefined;
}

function cwesOf(texts: string[]): string[] {
  return texts.map(cweFromTag).filter((cwe): cwe is string => !!cwe);
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

/**
 * `properties['security-severity']`: a CVSS-like score, as a number or a
 * numeric string; some tools (Semgrep OSS) write a name such as `HIGH`.
 */
function securitySeverityOf(
  properties: JsonReader,
  opt: Optional,
): Severity | undefined {
  const reader = opt.value(properties, 'security-severity');
  if (!reader) return undefined;
  const raw = reader.value;
  if (typeof raw === 'number' && Number.isFinite(raw)) {
    return severityFromScore(raw);
  }
  if (typeof raw === 'string') {
    if (raw.trim() === '') return undefined;
    const score = Number(raw.trim());
    if (Number.isFinite(score)) return severityFromScore(score);
    const named = severityFromName(raw);
    if (named !== 'unknown') return named;
    opt.warn(reader, 'neither a score nor a severity name; skipped');
    return undefined;
  }
  return opt.skip(reader, 'a score or a severity name');
}

/** The properties bag: tags, `security-severity` and `cwe` (mobsfscan, Black Duck). */
function readProperties(
  parent: JsonReader | undefined,
  opt: Optional,
): Properties {
  const properties = opt.object(parent, 'properties');
  if (!properties) return { tags: [], cwes: [] };
  const cweReader = opt.value(properties, 'cwe');
  let cwes: string[] = [];
  if (typeof cweReader?.value === 'string') {
    cwes = cwesOf([cweReader.value]);
  } else if (Array.isArray(cweReader?.value)) {
    cwes = cwesOf(opt.strings(properties, 'cwe'));
  } else if (cweReader) {
    opt.skip(cweReader, 'a string or an array of strings');
  }
  return {
    tags: opt.strings(properties, 'tags'),
    securitySeverity: securitySeverityOf(properties, opt),
    cwes,
  };
}

/**
 * CWEs a rule names through `relationships` to the CWE taxonomy
 * (Flawfinder: `target.id` `CWE-120`, or `120` under a `CWE` component).
 */
function relationshipCwes(rule: JsonReader, opt: Optional): string[] {
  const cwes: string[] = [];
  for (const relationship of opt.objects(rule, 'relationships')) {
    const target = opt.object(relationship, 'target');
    if (!target) continue;
    const idReader = opt.value(target, 'id');
    const id = idReader?.value;
    if (typeof id !== 'string' && typeof id !== 'number') {
      if (idReader) opt.skip(idReader, 'a string or a number');
      continue;
    }
    const taxonomy = opt.string(opt.object(target, 'toolComponent'), 'name');
    const cwe = cweFromTag(String(id));
    if (cwe) cwes.push(cwe);
    else if (/^cwe$/i.test(taxonomy ?? '') && /^\d+$/.test(String(id))) {
      cwes.push(`CWE-${Number(id)}`);
    }
  }
  return cwes;
}

function readRule(rule: JsonReader, opt: Optional): RuleInfo {
  const help = opt.object(rule, 'help');
  const fullDescription = opt.object(rule, 'fullDescription');
  const properties = readProperties(rule, opt);
  return {
    id: opt.string(rule, 'id'),
    name: nonEmpty(opt.string(rule, 'name')),
    shortDescription: nonEmpty(
      opt.string(opt.object(rule, 'shortDescription'), 'text'),
    ),
    help:
      nonEmpty(opt.string(help, 'markdown')) ??
      nonEmpty(opt.string(help, 'text')) ??
      nonEmpty(opt.string(fullDescription, 'markdown')) ??
      nonEmpty(opt.string(fullDescription, 'text')),
    defaultLevel: opt.string(opt.object(rule, 'defaultConfiguration'), 'level'),
    securitySeverity: properties.securitySeverity,
    tags: properties.tags,
    cwes: [...properties.cwes, ...relationshipCwes(rule, opt)],
    messageStrings: opt.object(rule, 'messageStrings'),
  };
}

function readComponent(component: JsonReader, opt: Optional): Component {
  const rules = opt
    .array(component, 'rules')
    .map(rule => (rule.isObject() ? rule : opt.skip(rule, 'an object')));
  const byId = new Map<string, JsonReader>();
  for (const rule of rules) {
    // Quietly: readRule reports a bad id when the rule is used.
    const id = rule?.value && (rule.value as Record<string, unknown>).id;
    if (rule && typeof id === 'string' && !byId.has(id)) byId.set(id, rule);
  }
  return { name: opt.string(component, 'name'), rules, byId };
}

function readRuleRef(result: JsonReader, opt: Optional): RuleRef {
  const ref = opt.object(result, 'rule');
  const toolComponent = opt.object(ref, 'toolComponent');
  return {
    id: opt.string(result, 'ruleId') ?? opt.string(ref, 'id'),
    index: opt.number(result, 'ruleIndex') ?? opt.number(ref, 'index'),
    componentIndex: opt.number(toolComponent, 'index'),
    componentName: opt.string(toolComponent, 'name'),
  };
}

/**
 * Whether the result is a finding: not `pass` or `notApplicable`, and not
 * suppressed (a suppression in effect is `accepted` or has no status). A
 * suppression whose status cannot be read is ignored, so the result stays.
 */
function isReported(result: JsonReader, opt: Optional): boolean {
  const kind = opt.string(result, 'kind');
  if (kind === 'pass' || kind === 'notApplicable') return false;
  return !opt.objects(result, 'suppressions').some(suppression => {
    const status = opt.value(suppression, 'status');
    if (!status) return true;
    if (typeof status.value !== 'string') {
      opt.skip(status, 'a string', 'the suppression is ignored');
      return false;
    }
    return status.value === 'accepted';
  });
}

/**
 * Sorted `key=value` pairs of a fingerprint object: without placeholders,
 * without file-wide hashes, without values that are not strings (Black
 * Duck's `{ "value": ... }` objects, skipped with a warning).
 */
function fingerprintPairs(
  result: JsonReader,
  key: 'fingerprints' | 'partialFingerprints',
  opt: Optional,
  fileHashes: Set<string>,
): string[] {
  const pairs: string[] = [];
  for (const [name, value] of opt.entries(result, key)) {
    if (typeof value.value !== 'string') {
      opt.skip(
        value,
        'a string',
        'skipped, the finding is identified without it',
      );
      continue;
    }
    const text = value.value;
    if (text.trim() === '' || isPlaceholder(text)) continue;
    if (FILE_WIDE_FINGERPRINT.test(fingerprintKind(name))) continue;
    if (fileHashes.has(text.trim().toLowerCase())) continue;
    pairs.push(`${name}=${text}`);
  }
  return pairs.sort();
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

function titleOf(text: string): string {
  const trimmed = text.trim();
  return truncateText(trimmed, TITLE_MAX);
}

/** Snippet texts of a secret result, whole and line by line. */
function secretsOf(places: Place[]): string[] {
  const secrets: string[] = [];
  for (const place of places) {
    for (const text of place.texts) {
      secrets.push(text, text.trim());
      for (const line of text.split(/\r?\n/)) secrets.push(line.trim());
    }
  }
  // Longest first, so a line never leaves part of the whole secret behind.
  return unique(secrets)
    .filter(secret => secret !== '')
    .sort((a, b) => b.length - a.length);
}

/**
 * Which fingerprints the report gives at more than one place: the same run
 * tool, rule and fingerprints at two files or logical locations (a result
 * with several locations gives its fingerprints at each). Built on first
 * use, by reading the results once more before the first finding that has
 * fingerprints is produced: findings stay streamed, and a report without
 * fingerprints (CodeQL, Trivy, ESLint) is never read twice. It holds a short
 * hash and a path per fingerprint, not the findings. A repeat at the same
 * place (a result listed twice) is no collision: the place would not tell
 * them apart; `normalizeFindings` keeps an exact repeat once and numbers
 * the others.
 */
class FingerprintCensus {
  private repeated?: Set<string>;

  constructor(private readonly runs: RunParser[]) {}

  isRepeated(key: string): boolean {
    this.repeated ??= this.count();
    return this.repeated.has(key);
  }

  private count(): Set<string> {
    const firstPlace = new Map<string, string>();
    const repeated = new Set<string>();
    for (const run of this.runs) {
      for (const [key, where] of run.fingerprintPlaces()) {
        const place = where ?? '';
        const first = firstPlace.get(key);
        if (first === undefined) firstPlace.set(key, place);
        else if (first !== place) repeated.add(key);
      }
    }
    return repeated;
  }
}

/**
 * The census key of a run's fingerprints: a digest, so that the census of a
 * large report stays small (SHA-1 for speed; a collision could only add a
 * place to an identity).
 */
function censusKey(
  slug: string,
  ruleId: string | undefined,
  fingerprints: string[],
): string {
  return hash('sha1', identityKey(slug, ruleId, ...fingerprints), 'base64');
}

class RunParser {
  readonly slug: string;
  private readonly driver: Component;
  private readonly extensions: Component[];
  private readonly ruleInfos = new Map<JsonReader, RuleInfo>();
  private readonly artifactUris: Array<string | undefined>;
  /** Whole-file hashes of `run.artifacts[].hashes`, lower-cased. */
  private readonly fileHashes = new Set<string>();
  private readonly baseUris: string[];
  private readonly image: string | undefined;
  private readonly secretScanner: boolean;
  /** Gitleaks findings have one identity rule, whatever the format. */
  private readonly isGitleaks: boolean;

  constructor(
    private readonly run: JsonReader,
    private readonly opt: Optional,
  ) {
    // Required: the tool and its name. The rest is optional.
    const tool = run.get('tool');
    const driver = tool.get('driver');
    this.slug = toolSlug(driver.get('name').string());
    this.driver = readComponent(driver, opt);
    this.extensions = opt.array(tool, 'extensions').map(extension => {
      if (extension.isObject()) return readComponent(extension, opt);
      opt.skip(extension, 'an object');
      return { rules: [], byId: new Map() };
    });
    this.artifactUris = opt.array(run, 'artifacts').map(artifact => {
      if (!artifact.isObject()) return opt.skip(artifact, 'an object');
      for (const [, value] of opt.entries(artifact, 'hashes')) {
        if (typeof value.value === 'string') {
          this.fileHashes.add(value.value.trim().toLowerCase());
        }
      }
      return opt.string(opt.object(artifact, 'location'), 'uri');
    });
    this.baseUris = opt
      .entries(run, 'originalUriBaseIds')
      .map(([, base]) =>
        base.isObject() ? opt.string(base, 'uri') : opt.skip(base, 'an object'),
      )
      .filter((uri): uri is string => !!uri && /^file:.*\/$/i.test(uri));
    this.image = this.slug.includes('trivy')
      ? opt.string(opt.object(run, 'properties'), 'imageName')
      : undefined;
    this.secretScanner = SECRET_SCANNERS.test(this.slug);
    this.isGitleaks = this.slug === 'gitleaks';
  }

  *findings(census: FingerprintCensus): Generator<ParsedFinding> {
    for (const result of this.run.get('results').optionalItems()) {
      // Required: each result is an object.
      if (!result.isObject()) {
        throw new ReportParseError(LABEL, result.path, 'expected an object');
      }
      if (!isReported(result, this.opt)) continue;
      yield* this.parseResult(result, census);
    }
  }

  /**
   * For the census: the key and the place (file or logical location) of
   * each finding whose identity would be its fingerprints alone. Read
   * quietly: the main pass reports what it skips.
   */
  *fingerprintPlaces(): Generator<[string, string | undefined]> {
    if (this.isGitleaks) return;
    const quiet = new Optional();
    for (const result of this.run.get('results').optionalItems()) {
      if (!result.isObject() || !isReported(result, quiet)) continue;
      const fingerprints = fingerprintPairs(
        result,
        'fingerprints',
        quiet,
        this.fileHashes,
      );
      if (fingerprints.length === 0 || hashesLineText(fingerprints)) continue;
      const key = censusKey(
        this.slug,
        readRuleRef(result, quiet).id,
        fingerprints,
      );
      const locations = quiet.objects(result, 'locations');
      if (locations.length === 0) yield [key, undefined];
      for (const location of locations) {
        const where = this.whereOf(location, quiet);
        yield [key, where.file ?? where.logicalName];
      }
    }
  }

  private info(rule: JsonReader): RuleInfo {
    let info = this.ruleInfos.get(rule);
    if (!info) {
      info = readRule(rule, this.opt);
      this.ruleInfos.set(rule, info);
    }
    return info;
  }

  /**
   * The rule a result names: by index, then by id, then by the id without a
   * `/N` suffix, in the tool component the reference names (the driver when
   * it names none), then by id in every component.
   */
  private findRule(ref: RuleRef): RuleInfo | undefined {
    const { id, index, componentIndex, componentName } = ref;
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

  private messageOf(
    result: JsonReader,
    rule: RuleInfo | undefined,
  ): string | undefined {
    const { opt } = this;
    const message = opt.object(result, 'message');
    const text =
      nonEmpty(opt.string(message, 'text')) ??
      nonEmpty(opt.string(message, 'markdown'));
    if (text !== undefined) return text;
    const id = opt.string(message, 'id');
    if (id === undefined || !rule) return undefined;
    const template = opt.object(rule.messageStrings, id);
    const format =
      nonEmpty(opt.string(template, 'text')) ??
      nonEmpty(opt.string(template, 'markdown'));
    if (format === undefined) return undefined;
    const args = opt
      .array(message, 'arguments')
      .map(argument =>
        typeof argument.value === 'string'
          ? argument.value
          : opt.skip(argument, 'a string'),
      );
    return format.replace(
      /\{(\d+)\}/g,
      (whole, n: string) => args[Number(n)] ?? whole,
    );
  }

  private uriOf(
    artifactLocation: JsonReader | undefined,
    opt: Optional,
  ): string | undefined {
    let uri = opt.string(artifactLocation, 'uri');
    if (uri === undefined) {
      const index = opt.number(artifactLocation, 'index');
      if (index !== undefined && Number.isInteger(index)) {
        uri = this.artifactUris[index];
      }
    }
    if (uri === undefined) return undefined;
    const base = this.baseUris.find(prefix => uri!.startsWith(prefix));
    const path = normalizePath(base ? uri.slice(base.length) : uri);
    return path === '' ? undefined : path;
  }

  /** The file of a location, else its logical location's name. */
  private whereOf(
    location: JsonReader,
    opt: Optional,
  ): Pick<Place, 'file' | 'logicalName'> {
    const physical = opt.object(location, 'physicalLocation');
    const logical = opt.objects(location, 'logicalLocations')[0];
    return {
      file: this.uriOf(opt.object(physical, 'artifactLocation'), opt),
      logicalName:
        opt.string(logical, 'fullyQualifiedName') ??
        opt.string(logical, 'name'),
    };
  }

  private placeOf(location: JsonReader, opt: Optional): Place {
    const physical = opt.object(location, 'physicalLocation');
    const region = opt.object(physical, 'region');
    const contextRegion = opt.object(physical, 'contextRegion');
    const regionText = opt.string(opt.object(region, 'snippet'), 'text');
    const contextText = opt.string(
      opt.object(contextRegion, 'snippet'),
      'text',
    );
    const startLine = opt.number(region, 'startLine');
    return {
      ...this.whereOf(location, opt),
      startLine,
      endLine: region ? opt.number(region, 'endLine') ?? startLine : undefined,
      snippet: snippetText(regionText),
      contextSnippet: snippetText(contextText),
      regionText,
      texts: [regionText, contextText].filter(
        (text): text is string => text !== undefined,
      ),
    };
  }

  /**
   * One finding per location: a tool that lists several `locations` on one
   * result (mobsfscan, njsscan: one result per rule, every match a location)
   * names several places to fix. A result without locations is one finding
   * without a location. `relatedLocations` and `codeFlows` describe one
   * finding and are not split.
   */
  private *parseResult(
    result: JsonReader,
    census: FingerprintCensus,
  ): Generator<ParsedFinding> {
    const { opt } = this;
    const ref = readRuleRef(result, opt);
    const rule = this.findRule(ref);
    const ruleId = rule?.id ?? ref.id;
    const message = this.messageOf(result, rule);
    const properties = readProperties(result, opt);
    const tags = [...(rule?.tags ?? []), ...properties.tags];

    const locations = opt.objects(result, 'locations');
    const places = locations.map(location => this.placeOf(location, opt));

    // Secret scanners report the secret as the snippet.
    const isSecret =
      this.secretScanner ||
      tags.some(tag => SECRET_TAGS.has(tag.trim().toLowerCase()));
    const secrets = isSecret ? secretsOf(places) : [];
    const redact = (text: string) => redactSecrets(text, secrets) ?? text;

    const pkg = this.slug.includes('trivy') ? trivyPackage(message) : undefined;

    // Severity: security-severity, else the level (read either way, so a
    // bad one is reported whichever wins).
    const level = opt.string(result, 'level');
    const severity =
      properties.securitySeverity ??
      rule?.securitySeverity ??
      severityFromName(level ?? rule?.defaultLevel ?? 'warning');

    const fingerprints = fingerprintPairs(
      result,
      'fingerprints',
      opt,
      this.fileHashes,
    );
    const partialFingerprints = fingerprintPairs(
      result,
      'partialFingerprints',
      opt,
      this.fileHashes,
    );
    // Fingerprints that do not tell apart the places they are found at:
    // line-text hashes always, others when the report repeats them.
    const fingerprintsNeedPlace =
      !this.isGitleaks &&
      fingerprints.length > 0 &&
      (hashesLineText(fingerprints) ||
        census.isRepeated(censusKey(this.slug, ref.id, fingerprints)));

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
    const vulnerabilityIds = unique(vulnerabilityIdsIn(ruleId));
    const cwes = unique([
      ...cwesOf(tags),
      ...(rule?.cwes ?? []),
      ...properties.cwes,
    ]);

    for (const place of places.length > 0 ? places : [undefined]) {
      const where = place?.file ?? place?.logicalName;
      const locationKey = (...anchor: Array<string | number | undefined>) =>
        identityKey(this.slug, ruleId, 'location', where, pkg?.name, ...anchor);
      let key: string;
      if (this.isGitleaks) {
        key = identityKey(
          ...gitleaksIdentityParts({
            ruleId: ruleId ?? '',
            file: place?.file ?? '',
            secret: place?.regionText,
            commit: partialFingerprints
              .find(pair => pair.startsWith('commitSha='))
              ?.slice('commitSha='.length),
            startLine: place?.startLine,
          }),
        );
      } else if (fingerprints.length > 0 && fingerprintsNeedPlace) {
        key = identityKey(
          this.slug,
          ruleId,
          'fingerprints at',
          where,
          ...fingerprints,
        );
      } else if (fingerprints.length > 0) {
        key = identityKey(this.slug, ruleId, 'fingerprints', ...fingerprints);
      } else if (partialFingerprints.length > 0) {
        key = identityKey(
          this.slug,
          ruleId,
          'partialFingerprints',
          where,
          ...partialFingerprints,
        );
      } else if (place?.snippet !== undefined && !isSecret) {
        key = locationKey('snippet', digest(normalizeSnippet(place.snippet)));
      } else {
        key = locationKey('line', place?.startLine);
      }

      const shownSnippet = place?.snippet ?? place?.contextSnippet;
      const description =
        shownSnippet !== undefined && !isSecret
          ? [...sections, fenced(shownSnippet)]
          : sections;

      const location: ParsedFinding['location'] = {};
      if (place?.file !== undefined) location.file = place.file;
      if (place?.startLine !== undefined) location.startLine = place.startLine;
      if (place?.endLine !== undefined) location.endLine = place.endLine;
      if (this.image !== undefined) location.image = this.image;

      const finding: ParsedFinding = {
        // The Gitleaks key holds no secret (a salted tag of it), and must
        // equal the one its JSON report gives.
        identityKey: isSecret && !this.isGitleaks ? redact(key) : key,
        title,
        description: redact(description.join('\n\n')),
        severity,
        status: 'open',
        vulnerabilityIds,
        cwes,
      };
      if (ruleId !== undefined) finding.ruleId = ruleId;
      if (pkg) finding.package = pkg;
      if (Object.keys(location).length > 0) finding.location = location;
      yield finding;
    }
  }
}

/** Whether any of the fingerprints hashes only a line's text. */
function hashesLineText(fingerprints: string[]): boolean {
  return fingerprints.some(pair =>
    LINE_TEXT_FINGERPRINTS.has(
      fingerprintKind(pair.split('=', 1)[0]).toLowerCase(),
    ),
  );
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

  claims(document: unknown): boolean {
    if (!isRecord(document)) return false;
    const { version, $schema } = document;
    return (
      (typeof $schema === 'string' && /sarif/i.test($schema)) ||
      (typeof version === 'string' &&
        version.startsWith('2.1') &&
        'runs' in document)
    );
  },

  read(document: unknown): ReportReading {
    const root = new JsonReader(LABEL, document);
    if (!root.isObject()) {
      throw new ReportParseError(LABEL, '', 'expected a JSON object');
    }
    checkVersion(root);
    const warnings: ReportWarning[] = [];
    const opt = new Optional(warnings);
    const runs = root
      .get('runs')
      .array()
      .map(run => new RunParser(run, opt));
    const census = new FingerprintCensus(runs);
    return {
      format: 'sarif',
      scanner: runs[0]?.slug ?? 'sarif',
      findings: (function* findings() {
        for (const run of runs) yield* run.findings(census);
      })(),
      warnings,
    };
  },
});
