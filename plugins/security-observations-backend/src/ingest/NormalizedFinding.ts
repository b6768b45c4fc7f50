import { hash } from 'node:crypto';
import {
  SEVERITIES,
  Severity,
} from 'backstage-plugin-security-observations-common';
import { SEPARATOR } from './parsers/identity';
import { ParsedFinding } from './parsers/types';
import { storableFinding } from './storableText';
import { MAX_REPORT_FINDINGS, ReportLimitError } from './ReportLimitError';

/**
 * A parsed finding with the hashes the store works with. The identity hash
 * says which observation it is; the content hash says whether what the
 * scanner reports about it changed since the last import.
 */
export interface NormalizedFinding {
  identityHash: string;
  contentHash: string;
  finding: ParsedFinding;
}

// The one-shot hash of Node 22+, several times faster than createHash for
// short inputs; imports hash every finding twice.
const sha256 = (text: string) => hash('sha256', text, 'hex');

/** 0 for critical ... 5 for unknown; the store sorts by it. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/**
 * Hash of everything the scanner said about the finding except its
 * identity: its fields joined by a separator they cannot contain, hashed
 * once (one short-lived string per finding; many small hash updates cost
 * more).
 */
function contentHash(finding: ParsedFinding): string {
  return sha256(
    [
      finding.title,
      finding.description,
      finding.severity,
      finding.status,
      finding.justification,
      finding.ruleId,
      finding.vulnerabilityIds.join('\u001e'),
      finding.cwes.join('\u001e'),
      finding.package?.purl,
      finding.package?.name,
      finding.package?.version,
      finding.package?.fixedVersion,
      finding.location?.file,
      finding.location?.startLine,
      finding.location?.endLine,
      finding.location?.uri,
      finding.location?.image,
      finding.location?.endpoint,
    ]
      .map(value => (value === undefined ? '\u0000' : String(value)))
      .join('\u001f'),
  );
}

/**
 * Hashes each finding as it comes, its texts made storable
 * (`storableFinding`). An exact repeat (the same identity
 * and the same content: a report listing one element twice) is one
 * observation: only its first is kept. Distinct findings that happen to
 * share an identity key (the same rule twice in one file, one CVE at two
 * locations that normalize alike) get an ordinal in report order (`#2`,
 * `#3`, ...), so none is lost. Only the keys and content hashes seen so far
 * are held, not the findings.
 */
export function* normalizeFindings(
  findings: Iterable<ParsedFinding>,
): Generator<NormalizedFinding> {
  const seen = new Map<string, string[]>();
  let count = 0;
  for (const parsed of findings) {
    // Hashed as stored, so a re-import of the same report is unchanged.
    const finding = storableFinding(parsed);
    const content = contentHash(finding);
    const contents = seen.get(finding.identityKey);
    let identityKey = finding.identityKey;
    if (!contents) {
      seen.set(identityKey, [content]);
    } else if (contents.includes(content)) {
      continue;
    } else {
      contents.push(content);
      identityKey = `${identityKey}${SEPARATOR}#${contents.length}`;
    }
    if (++count > MAX_REPORT_FINDINGS) {
      // XML reports, and formats where one element gives many findings
      // (a CycloneDX vulnerability affecting many components), reach it
      // here, while being stored: the import then rolls back.
      throw new ReportLimitError(
        `The report holds more than ${MAX_REPORT_FINDINGS.toLocaleString(
          'en-US',
        )} findings; an import takes at most that many: split the report into several, each with its own source=`,
      );
    }
    yield {
      identityHash: sha256(identityKey),
      contentHash: content,
      finding:
        identityKey === finding.identityKey
          ? finding
          : { ...finding, identityKey },
    };
  }
}
