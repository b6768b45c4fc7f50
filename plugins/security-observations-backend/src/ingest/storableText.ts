import { ParsedFinding } from './parsers/types';

/**
 * `text` cut to at most `max` UTF-16 code units, ending with `…` when cut.
 * A surrogate pair (an emoji, a CJK extension character) is never split:
 * half of one would be stored as U+FFFD.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}…`;
}

/** U+0000, and a surrogate that is not half of a pair. */
const UNSTORABLE_SOURCE =
  '\\u0000|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const UNSTORABLE = new RegExp(UNSTORABLE_SOURCE);
const UNSTORABLE_ALL = new RegExp(UNSTORABLE_SOURCE, 'g');

/**
 * Text a database column takes: U+0000, which Postgres refuses in text, and
 * lone surrogates, which no UTF-8 column can hold, become U+FFFD; then cut
 * to `max`.
 */
export function storableText(text: string, max: number): string {
  const clean = UNSTORABLE.test(text)
    ? text.replace(UNSTORABLE_ALL, '\uFFFD')
    : text;
  return truncateText(clean, max);
}

/**
 * What the store keeps of a finding's text fields, at most: the columns'
 * sizes where they have one (`rule_id` is varchar(512), package versions
 * varchar(255) on Postgres), and limits that no real report reaches but a
 * hostile one could: a million-character title, or a rule's megabyte of
 * help text copied into each of 100,000 findings' descriptions.
 */
export const STORED_TEXT_LIMITS = {
  title: 1_000,
  description: 32_000,
  ruleId: 512,
  justification: 64,
  vulnerabilityId: 255,
  cwe: 64,
  packagePurl: 2_048,
  packageName: 512,
  packageVersion: 255,
  location: 4_096,
} as const;

const limits = STORED_TEXT_LIMITS;

const isStorable = (text: string | undefined, max: number) =>
  text === undefined || (text.length <= max && !UNSTORABLE.test(text));

const optional = (text: string | undefined, max: number) =>
  text === undefined ? undefined : storableText(text, max);

/**
 * The finding as the store keeps it: every text storable (see
 * `storableText`) and within `STORED_TEXT_LIMITS`; the finding itself when
 * it already is, as real reports' findings are. The identity key is left
 * whole: it is hashed, not stored.
 */
export function storableFinding(finding: ParsedFinding): ParsedFinding {
  const { package: pkg, location } = finding;
  if (
    isStorable(finding.title, limits.title) &&
    isStorable(finding.description, limits.description) &&
    isStorable(finding.ruleId, limits.ruleId) &&
    isStorable(finding.justification, limits.justification) &&
    finding.vulnerabilityIds.every(id =>
      isStorable(id, limits.vulnerabilityId),
    ) &&
    finding.cwes.every(cwe => isStorable(cwe, limits.cwe)) &&
    isStorable(pkg?.purl, limits.packagePurl) &&
    isStorable(pkg?.name, limits.packageName) &&
    isStorable(pkg?.version, limits.packageVersion) &&
    isStorable(pkg?.fixedVersion, limits.packageVersion) &&
    isStorable(location?.file, limits.location) &&
    isStorable(location?.uri, limits.location) &&
    isStorable(location?.image, limits.location) &&
    isStorable(location?.endpoint, limits.location)
  ) {
    return finding;
  }
  const storable: ParsedFinding = {
    ...finding,
    title: storableText(finding.title, limits.title),
    description: storableText(finding.description, limits.description),
    vulnerabilityIds: finding.vulnerabilityIds.map(id =>
      storableText(id, limits.vulnerabilityId),
    ),
    cwes: finding.cwes.map(cwe => storableText(cwe, limits.cwe)),
  };
  if (finding.ruleId !== undefined) {
    storable.ruleId = storableText(finding.ruleId, limits.ruleId);
  }
  if (finding.justification !== undefined) {
    storable.justification = storableText(
      finding.justification,
      limits.justification,
    );
  }
  if (pkg) {
    storable.package = dropUndefined({
      purl: optional(pkg.purl, limits.packagePurl),
      name: optional(pkg.name, limits.packageName),
      version: optional(pkg.version, limits.packageVersion),
      fixedVersion: optional(pkg.fixedVersion, limits.packageVersion),
    });
  }
  if (location) {
    storable.location = dropUndefined({
      ...location,
      file: optional(location.file, limits.location),
      uri: optional(location.uri, limits.location),
      image: optional(location.image, limits.location),
      endpoint: optional(location.endpoint, limits.location),
    });
  }
  return storable;
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
