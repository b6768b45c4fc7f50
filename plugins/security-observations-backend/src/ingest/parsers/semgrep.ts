import { digest, normalizePath, normalizeSnippet, uniqueKey } from './identity';
import { fenced, mdLink } from './markdown';
import { isRecord, JsonReader } from './read';
import { severityFromName } from './severity';
import { ParsedFinding, ReportReading, reportParser } from './types';

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
  return sentence.length > TITLE_MAX
    ? `${sentence.slice(0, TITLE_MAX - 1).trimEnd()}…`
    : sentence;
}

function usable(text: string | undefined): text is string {
  return !!text && text.trim() !== '' && text.trim() !== REQUIRES_LOGIN;
}

function read(document: unknown): ReportReading {
  const root = new JsonReader(LABEL, document);
  return { format: 'semgrep', scanner: 'semgrep', findings: findingsOf(root) };
}

function* findingsOf(root: JsonReader): Generator<ParsedFinding> {
  const seen = new Map<string, number>();

  for (const result of root.get('results').items()) {
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
    const hasMetadata = !metadata.isMissing();
    const cweTexts = hasMetadata ? stringList(metadata.get('cwe')) : [];
    const references = hasMetadata
      ? stringList(metadata.get('references'))
      : [];
    const source = hasMetadata
      ? metadata.get('source').optionalString()
      : undefined;
    const owasp = hasMetadata ? stringList(metadata.get('owasp')) : [];

    const cwes = [
      ...new Set(
        cweTexts.flatMap(text => {
          const match = text.match(/CWE-(\d+)/i);
          return match ? [`CWE-${match[1]}`] : [];
        }),
      ),
    ];

    const parts: string[] = [];
    if (message) parts.push(message);
    parts.push(
      `**Rule:** ${
        source?.trim()
          ? mdLink(checkId, source)
          : `\`${checkId.replace(/`/g, '')}\``
      }`,
    );
    if (owasp.length > 0) parts.push(`**OWASP:** ${owasp.join('; ')}`);
    const links = references
      .map(url => url.trim())
      .filter((url, index, all) => url !== '' && all.indexOf(url) === index)
      .map(url => `- ${mdLink(url, url)}`);
    if (links.length > 0) parts.push(`**References:**\n\n${links.join('\n')}`);
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

    yield {
      identityKey: uniqueKey(seen, [checkId, file, anchor]),
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
}

/** `semgrep --json` output. */
export const semgrepParser = reportParser({
  format: 'semgrep',
  label: LABEL,
  detect,
  read,
});
