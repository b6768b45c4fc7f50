import { digest, normalizePath, uniqueKey } from './identity';
import { isRecord, JsonReader } from './read';
import { redactSecrets } from './redact';
import { ParsedFinding, ReportReading, reportParser } from './types';

const LABEL = 'Gitleaks JSON';

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

function read(document: unknown): ReportReading {
  const root = new JsonReader(LABEL, document);
  return {
    format: 'gitleaks',
    scanner: 'gitleaks',
    findings: findingsOf(root),
  };
}

function* findingsOf(root: JsonReader): Generator<ParsedFinding> {
  const seen = new Map<string, number>();

  for (const leak of root.items()) {
    const secret = leak.get('Secret').optionalString();
    const redact = (text: string | undefined) =>
      redactSecrets(text, [secret]) ?? '';

    const ruleId = redact(leak.get('RuleID').string());
    const ruleDescription = redact(leak.get('Description').optionalString());
    const file = normalizePath(redact(leak.get('File').string()));
    const startLine = leak.get('StartLine').optionalNumber();
    const endLine = leak.get('EndLine').optionalNumber();
    // Columns are checked but not kept: locations are line-based.
    leak.get('StartColumn').optionalNumber();
    leak.get('EndColumn').optionalNumber();
    const match = redact(leak.get('Match').optionalString());
    const commit = redact(leak.get('Commit').optionalString());
    const author = redact(leak.get('Author').optionalString());
    const date = redact(leak.get('Date').optionalString());
    const message = redact(leak.get('Message').optionalString());
    const tags = leak
      .get('Tags')
      .optionalArray()
      .map(tag => redact(tag.string()))
      .filter(tag => tag !== '');

    const parts = [`Gitleaks rule \`${ruleId.replace(/`/g, '')}\` matched`];
    if (ruleDescription) parts[0] += ` (${ruleDescription})`;
    parts[0] += match ? `: ${inlineCode(match)}` : '.';
    const details: string[] = [];
    if (commit) details.push(`- Commit: ${inlineCode(commit)}`);
    if (author) details.push(`- Author: ${author}`);
    if (date) details.push(`- Date: ${date}`);
    if (message) details.push(`- Commit message: ${message.split('\n')[0]}`);
    if (tags.length > 0) details.push(`- Tags: ${tags.join(', ')}`);
    if (details.length > 0) parts.push(details.join('\n'));
    parts.push(
      'The secret is not stored here. Revoke or rotate it: deleting it from the code does not make it safe.',
    );

    yield {
      // Stable across line shifts; the redacted match holds no secret.
      identityKey: uniqueKey(seen, [ruleId, file, commit, digest(match)]),
      // Redacted again after formatting, in case joining made the secret.
      title: redact(
        `${ruleDescription.trim().replace(/\.+$/, '') || ruleId} in ${file}`,
      ),
      description: redact(parts.join('\n\n')),
      severity: 'high',
      status: 'open',
      ruleId,
      vulnerabilityIds: [],
      cwes: [],
      location: {
        file,
        ...(startLine !== undefined && startLine > 0 ? { startLine } : {}),
        ...(endLine !== undefined && endLine > 0 ? { endLine } : {}),
      },
    };
  }
}

/** `gitleaks detect --report-format json` (v8): an array of leaks. */
export const gitleaksParser = reportParser({
  format: 'gitleaks',
  label: LABEL,
  detect(document: unknown): boolean {
    if (!Array.isArray(document)) return false;
    if (document.length === 0) return true;
    const first = document[0];
    return (
      isRecord(first) &&
      'RuleID' in first &&
      ('Secret' in first || 'Match' in first)
    );
  },
  read,
});
