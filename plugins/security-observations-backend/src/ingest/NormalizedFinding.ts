import { hash } from 'node:crypto';
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
export function normalizeFindings(
  findings: ParsedFinding[],
): NormalizedFinding[] {
  const byIdentity = new Map<string, NormalizedFinding>();
  for (const finding of findings) {
    const identityHash = sha256(finding.identityKey);
    if (byIdentity.has(identityHash)) {
      continue;
    }
    const { identityKey: _identityKey, ...content } = finding;
    byIdentity.set(identityHash, {
      identityHash,
      contentHash: sha256(JSON.stringify(content)),
      finding,
    });
  }
  return [...byIdentity.values()];
}
