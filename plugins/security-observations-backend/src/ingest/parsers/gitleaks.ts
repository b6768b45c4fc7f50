import { createHash } from 'node:crypto';
import {
  gitleaksIdentityParts,
  isRedactedSecret,
  isRedactionMarker,
} from './gitleaksIdentity';
import { identityKey, normalizePath, SEPARATOR } from './identity';
import { mdLink } from './markdown';
import { isRecord, JsonReader } from './read';
import { REDACTED, redactSecrets } from './redact';
import { ParsedFinding, ReportReading, reportParser } from './types';

const LABEL = 'Gitleaks JSON';
/** Places of one leak listed in its description; the rest are counted. */
const MAX_LISTED_PLACES = 20;
/** What `--redact` puts in place of the secret, where it is not ours already. */
const GITLEAKS_MARKER = /(?<!\[)REDACTED(?!\])/g;
/** Gitleaks 7 writes Go's zero time when it scanned files, not commits. */
const ZERO_TIME = /^0001-01-01T00:00:00/;

/**
 * `8`: Gitleaks 8 (`RuleID`, `Secret`, `Match`, ...). `7`: Gitleaks 4 to 7
 * (`rule`, `offender`, `line`, `lineNumber`, ...).
 */
type Shape = '8' | '7';

/** One element of the report, read, with everything shown redacted. */
interface Leak {
  ruleId: string;
  ruleDescription: string;
  file: string;
  startLine?: number;
  endLine?: number;
  match: string;
  commit: string;
  author: string;
  date: string;
  message: string;
  tags: string[];
  link?: string;
  /** Gitleaks 6 and 7: `addition` or `deletion` of the line in the commit. */
  operation?: string;
  /** Where the symlink at `file` points (Gitleaks 8 `--follow-symlinks`). */
  symlinkTarget?: string;
  /** The key, redacted (it holds a tag of the secret, not the secret). */
  identityKey: string;
  /** Groups the places of one secret; in memory only, never output. */
  groupKey: string;
  /** The texts to redact from what is built of the leak; never output. */
  hide: string[];
}

/** One place where the report names a leak. */
interface Place {
  index: number;
  commit: string;
  startLine?: number;
  date: string;
  time: number;
  operation?: string;
  /** Tells apart two matches on one line (their columns are not kept). */
  match: string;
}

/** Markdown inline code that survives backticks in the text. */
function inlineCode(text: string): string {
  const oneLine = text.replace(/\s*[\r\n]+\s*/g, ' ');
  const longestRun = Math.max(
    0,
    ...(oneLine.match(/`+/g) ?? []).map(run => run.length),
  );
  const fence = '`'.repeat(longestRun + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/**
 * The texts to hide for a secret, longest first: the secret, and what is
 * left of it when Gitleaks cut it short (`--redact=N` and Gitleaks 4 end
 * what they keep with `...`).
 */
function secretsToHide(secret: string | undefined): string[] {
  // A marker hides nothing; `readLeak` shows it as ours.
  if (!secret || isRedactionMarker(secret)) return [];
  const texts = [secret];
  if (secret.endsWith('...')) texts.push(secret.slice(0, -3));
  return texts;
}

/**
 * A text that Gitleaks cut short (`...`) in the middle of the secret still
 * ends with the secret's start: Gitleaks 4 cuts lines at 200 characters.
 */
function withoutCutSecret(text: string, secrets: string[]): string {
  if (!text.endsWith('...')) return text;
  const body = text.slice(0, -3);
  for (const secret of secrets) {
    const whole = secret.endsWith('...') ? secret.slice(0, -3) : secret;
    for (
      let length = Math.min(whole.length, body.length);
      length >= 4;
      length--
    ) {
      if (body.endsWith(whole.slice(0, length))) {
        return `${body.slice(0, body.length - length)}${REDACTED}...`;
      }
    }
  }
  return text;
}

function positiveLine(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

/** The report's shape, from its first element. */
function shapeOf(item: JsonReader): Shape {
  return item.isObject() && !item.has('RuleID') && item.has('rule') ? '7' : '8';
}

function readLeak(item: JsonReader, shape: Shape): Leak {
  const v8 = shape === '8';
  const rawSecret = item.get(v8 ? 'Secret' : 'offender').optionalString();
  const secrets = secretsToHide(rawSecret);
  const redact = (text: string | undefined) =>
    redactSecrets(text, secrets) ?? '';

  const rawRuleId = item.get(v8 ? 'RuleID' : 'rule').string();
  const rawFile = item.get(v8 ? 'File' : 'file').string();
  const symlink = v8
    ? item.get('SymlinkFile').optionalString()?.trim()
    : undefined;
  // Gitleaks' SARIF shows the symlink when there is one: so does this.
  const shownFile = normalizePath(symlink || rawFile);
  let startLine: number | undefined;
  let endLine: number | undefined;
  let tags: string[];
  if (v8) {
    startLine = positiveLine(item.get('StartLine').optionalNumber());
    endLine = positiveLine(item.get('EndLine').optionalNumber());
    // Columns are checked but not kept: locations are line-based.
    item.get('StartColumn').optionalNumber();
    item.get('EndColumn').optionalNumber();
    tags = item
      .get('Tags')
      .optionalArray()
      .map(tag => redact(tag.string()).trim());
  } else {
    // -1 for a line that a commit deleted.
    startLine = positiveLine(item.get('lineNumber').optionalNumber());
    tags = (item.get('tags').optionalString() ?? '')
      .split(',')
      .map(tag => redact(tag).trim());
  }
  const commit = item
    .get(v8 ? 'Commit' : 'commit')
    .optionalString()
    ?.trim();
  const date =
    item
      .get(v8 ? 'Date' : 'date')
      .optionalString()
      ?.trim() ?? '';
  const link = item
    .get(v8 ? 'Link' : 'leakURL')
    .optionalString()
    ?.trim();
  const message = item.get(v8 ? 'Message' : 'commitMessage').optionalString();
  // Read for its type only: the author's address is not shown.
  item.get(v8 ? 'Email' : 'email').optionalString();

  const key = identityKey(
    ...gitleaksIdentityParts({
      ruleId: rawRuleId,
      file: shownFile,
      secret: rawSecret,
      commit,
      startLine,
    }),
  );
  return {
    ruleId: redact(rawRuleId),
    ruleDescription: v8 ? redact(item.get('Description').optionalString()) : '',
    file: redact(shownFile),
    startLine,
    endLine,
    match: withoutCutSecret(
      redact(item.get(v8 ? 'Match' : 'line').optionalString())
        .replace(GITLEAKS_MARKER, REDACTED)
        .trim(),
      secrets,
    ),
    commit: redact(commit),
    author: redact(item.get(v8 ? 'Author' : 'author').optionalString()),
    date: ZERO_TIME.test(date) ? '' : redact(date),
    // Gitleaks does not redact the commit message, and a redacted report
    // does not say what to look for in it: it is left out.
    message: isRedactedSecret(rawSecret) ? '' : redact(message),
    tags: tags.filter(tag => tag !== ''),
    link: link && /^https?:\/\//i.test(link) ? redact(link) : undefined,
    operation: v8
      ? undefined
      : item.get('operation').optionalString()?.trim() || undefined,
    symlinkTarget:
      symlink && normalizePath(rawFile) !== shownFile
        ? redact(normalizePath(rawFile))
        : undefined,
    identityKey: redact(key),
    // The same tag can stand for two secrets: only the same secret joins.
    groupKey: isRedactedSecret(rawSecret)
      ? key
      : `${key}${SEPARATOR}${createHash('sha256')
          .update(rawSecret!)
          .digest('hex')}`,
    hide: secrets,
  };
}

/** Code-point order, for sorting that does not depend on the locale. */
function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * Earliest commit first, then by commit, line and match: the same places in
 * any report order give the same first place.
 */
function comparePlaces(a: Place, b: Place): number {
  return (
    a.time - b.time ||
    compareText(a.commit, b.commit) ||
    (a.startLine ?? 0) - (b.startLine ?? 0) ||
    compareText(a.match, b.match) ||
    a.index - b.index
  );
}

function placeText(place: Place): string {
  const parts: string[] = [];
  if (place.startLine !== undefined) parts.push(`line ${place.startLine}`);
  if (place.commit) parts.push(`commit ${inlineCode(place.commit)}`);
  if (place.date) parts.push(place.date);
  let text = parts.join(', ') || 'no line or commit given';
  if (place.operation === 'deletion') text += ' (the commit removed it)';
  return `- ${text}`;
}

function describe(leak: Leak, places: Place[]): string {
  const parts = [`Gitleaks rule \`${leak.ruleId.replace(/`/g, '')}\` matched`];
  if (leak.ruleDescription) parts[0] += ` (${leak.ruleDescription})`;
  parts[0] += leak.match ? `: ${inlineCode(leak.match)}` : '.';
  const details: string[] = [];
  if (leak.symlinkTarget) {
    details.push(`- Symlink to: ${inlineCode(leak.symlinkTarget)}`);
  }
  if (leak.commit) details.push(`- Commit: ${inlineCode(leak.commit)}`);
  if (leak.author) details.push(`- Author: ${leak.author}`);
  if (leak.date) details.push(`- Date: ${leak.date}`);
  if (leak.message) {
    details.push(`- Commit message: ${leak.message.split('\n')[0].trim()}`);
  }
  if (leak.operation === 'deletion') {
    details.push('- The commit removed the line; it stays in the history.');
  }
  if (leak.tags.length > 0) details.push(`- Tags: ${leak.tags.join(', ')}`);
  if (leak.link) details.push(`- Link: ${mdLink(leak.link, leak.link)}`);
  if (details.length > 0) parts.push(details.join('\n'));
  if (places.length > 1) {
    const listed = places.slice(0, MAX_LISTED_PLACES).map(placeText);
    if (places.length > MAX_LISTED_PLACES) {
      listed.push(`- and ${places.length - MAX_LISTED_PLACES} more`);
    }
    parts.push(
      `Gitleaks reports this secret in ${
        places.length
      } places of this file:\n\n${listed.join('\n')}`,
    );
  }
  parts.push(
    'The secret is not stored here. Revoke or rotate it: deleting it from the code does not make it safe.',
  );
  return parts.join('\n\n');
}

function findingOf(leak: Leak, places: Place[]): ParsedFinding {
  // Redacted again after formatting, in case joining made the secret.
  const redact = (text: string) => redactSecrets(text, leak.hide) ?? '';
  return {
    identityKey: leak.identityKey,
    title: redact(
      `${leak.ruleDescription.trim().replace(/\.+$/, '') || leak.ruleId} in ${
        leak.file
      }`,
    ),
    description: redact(describe(leak, places)),
    severity: 'high',
    status: 'open',
    ruleId: leak.ruleId,
    vulnerabilityIds: [],
    cwes: [],
    location: {
      file: leak.file,
      ...(leak.startLine !== undefined ? { startLine: leak.startLine } : {}),
      ...(leak.endLine !== undefined ? { endLine: leak.endLine } : {}),
    },
  };
}

function read(document: unknown): ReportReading {
  const root = new JsonReader(LABEL, document);
  return {
    format: 'gitleaks',
    scanner: 'gitleaks',
    findings: findingsOf(root),
  };
}

/**
 * Two passes over the report: the first groups the places of each leak
 * (keeping only their keys and places), the second yields each leak once,
 * at its earliest place, with the others listed. Which place stands first
 * does not depend on report order, which Gitleaks does not keep stable.
 */
function* findingsOf(root: JsonReader): Generator<ParsedFinding> {
  let shape: Shape | undefined;
  const groups = new Map<string, Place[]>();
  let index = 0;
  for (const item of root.items()) {
    shape ??= shapeOf(item);
    const leak = readLeak(item, shape);
    const place: Place = {
      index,
      commit: leak.commit,
      startLine: leak.startLine,
      date: leak.date,
      time: Date.parse(leak.date) || Number.MAX_SAFE_INTEGER,
      operation: leak.operation,
      match: leak.match,
    };
    const places = groups.get(leak.groupKey);
    if (places) places.push(place);
    else groups.set(leak.groupKey, [place]);
    index++;
  }
  if (shape === undefined) return;

  const firstPlaces = new Map<number, Place[]>();
  for (const places of groups.values()) {
    places.sort(comparePlaces);
    // A place the report repeats is listed once.
    const distinct = places.filter(
      (place, at) => at === 0 || placeText(place) !== placeText(places[at - 1]),
    );
    firstPlaces.set(places[0].index, distinct);
  }
  index = 0;
  for (const item of root.items()) {
    const places = firstPlaces.get(index++);
    if (places) yield findingOf(readLeak(item, shape), places);
  }
}

/**
 * Gitleaks JSON: a top-level array of leaks, as `gitleaks detect
 * --report-format json` writes it (8: `RuleID` with `Secret` or `Match`) or
 * `gitleaks --report=x.json` (4 to 7: `rule` with `offender` or `line`).
 */
export const gitleaksParser = reportParser({
  format: 'gitleaks',
  label: LABEL,
  detect(document: unknown): boolean {
    if (!Array.isArray(document)) return false;
    if (document.length === 0) return true;
    const first = document[0];
    if (!isRecord(first)) return false;
    return (
      ('RuleID' in first && ('Secret' in first || 'Match' in first)) ||
      ('rule' in first && ('offender' in first || 'line' in first))
    );
  },
  read,
});
