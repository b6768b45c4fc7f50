import { createHash, hash } from 'node:crypto';
import {
  SEVERITIES,
  Severity,
} from 'backstage-plugin-security-observations-common';
import { ParsedFinding } from './parsers/types';

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
 * Hashes each finding and keeps the first of several with the same identity
 * (a report may list one finding twice, e.g. one CVE through two paths to the
 * same package); those are one observation.
 */
/**
 * Hash of everything the scanner said about the finding except its
 * identity, fed field by field: no intermediate JSON string per finding,
 * which for a 100k-finding report is 100 MB of garbage at the peak.
 */
function contentHash(finding: ParsedFinding): string {
  const hasher = createHash('sha256');
  const add = (value: unknown) => {
    hasher.update(value === undefined ? '\u0000' : String(value));
    hasher.update('\u001f');
  };
  add(finding.title);
  add(finding.description);
  add(finding.severity);
  add(finding.status);
  add(finding.justification);
  add(finding.ruleId);
  add(finding.vulnerabilityIds.join('\u001e'));
  add(finding.cwes.join('\u001e'));
  add(finding.package?.purl);
  add(finding.package?.name);
  add(finding.package?.version);
  add(finding.package?.fixedVersion);
  add(finding.location?.file);
  add(finding.location?.startLine);
  add(finding.location?.endLine);
  add(finding.location?.uri);
  add(finding.location?.image);
  add(finding.location?.endpoint);
  return hasher.digest('hex');
}

export function normalizeFindings(
  findings: ParsedFinding[],
): NormalizedFinding[] {
  const byIdentity = new Map<string, NormalizedFinding>();
  for (const finding of findings) {
    const identityHash = sha256(finding.identityKey);
    if (byIdentity.has(identityHash)) {
      continue;
    }
    byIdentity.set(identityHash, {
      identityHash,
      contentHash: contentHash(finding),
      finding,
    });
  }
  return [...byIdentity.values()];
}
