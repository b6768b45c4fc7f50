import { Severity } from 'backstage-plugin-security-observations-common';
import { CvssVector, fromVector } from 'ae-cvss-calculator';

/**
 * CVSS base score to severity, as NVD and SARIF's `security-severity`
 * do it: >= 9.0 critical, >= 7.0 high, >= 4.0 medium, > 0 low, 0 none.
 */
export function severityFromScore(score: number): Severity {
  if (score >= 9.0) return 'critical';
  if (score >= 7.0) return 'high';
  if (score >= 4.0) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

/**
 * Base score of a CVSS vector (2.0, 3.0, 3.1 or 4.0), or undefined when the
 * vector cannot be read or lacks any of its version's base metrics (such as
 * `AV:N` alone, which the calculator would score 0). OSV and CycloneDX give
 * vectors without scores.
 */
export function scoreFromCvssVector(vector: string): number | undefined {
  try {
    const cvss: CvssVector<any> | null | undefined = fromVector(vector.trim());
    if (!cvss || !cvss.isBaseFullyDefined()) return undefined;
    const scores = cvss.calculateScores() as {
      base?: number;
      overall?: number;
    };
    const score = scores.base ?? scores.overall;
    return typeof score === 'number' && Number.isFinite(score)
      ? score
      : undefined;
  } catch {
    return undefined;
  }
}

/** Severity names scanners use, case-insensitively, to ours. */
export function severityFromName(name: string | undefined): Severity {
  switch (name?.trim().toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'high':
    case 'error':
      return 'high';
    case 'medium':
    case 'moderate':
    case 'warning':
      return 'medium';
    case 'low':
    case 'note':
    case 'info':
    case 'informational':
      return 'low';
    case 'none':
    case 'negligible':
      return 'none';
    default:
      return 'unknown';
  }
}
