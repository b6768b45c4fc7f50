import { scoreFromCvssVector } from './severity';

/**
 * CVSS base scores gathered from a finding's sources: CVSS v3 and v4 scores
 * are `modern`, v2 scores `legacy`.
 */
export interface CvssScores {
  modern: number[];
  legacy: number[];
}

/** Base score of a vector that may be missing; undefined when unreadable. */
export function scoreFromOptionalVector(
  vector: string | undefined,
): number | undefined {
  return vector === undefined ? undefined : scoreFromCvssVector(vector);
}

/**
 * The highest v3/v4 score; the highest v2 score only when there is nothing
 * newer; undefined when there are no scores at all.
 */
export function highestCvssScore(scores: CvssScores): number | undefined {
  const candidates = scores.modern.length > 0 ? scores.modern : scores.legacy;
  return candidates.length > 0 ? Math.max(...candidates) : undefined;
}
