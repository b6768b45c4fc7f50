import { generateTrivy } from '../generateReports';

/** The scanner token of the load benchmark's backend. */
export const LOAD_TOKEN = 'load-scanner-token-0123456789';

/** Entities that get one upload each, all at once. */
export const PARALLEL_ENTITIES = 20;
/** Findings per upload. */
export const FINDINGS = 10_000;
/** Uploads into one scope at the same time. */
export const SAME_SCOPE_UPLOADS = 5;
/** How far each same-scope upload's window of findings moves on. */
export const SAME_SCOPE_STEP = 2_000;

export const SHARED_ENTITY = 'load-shared';

export function loadEntityNames(): string[] {
  return [
    ...Array.from({ length: PARALLEL_ENTITIES }, (_, i) => `load-${i + 1}`),
    SHARED_ENTITY,
  ];
}

/**
 * Trivy reports of FINDINGS each over one pool of findings, the i-th
 * starting at i * SAME_SCOPE_STEP: consecutive ones overlap, so concurrent
 * imports of one scope create, keep and resolve the same observations.
 */
export function sameScopeReports(): Buffer[] {
  const total = FINDINGS + SAME_SCOPE_STEP * (SAME_SCOPE_UPLOADS - 1);
  const pool = JSON.parse(generateTrivy(total));
  const all = pool.Results[0].Vulnerabilities as unknown[];
  return Array.from({ length: SAME_SCOPE_UPLOADS }, (_, i) => {
    const window = all.slice(
      i * SAME_SCOPE_STEP,
      i * SAME_SCOPE_STEP + FINDINGS,
    );
    return Buffer.from(
      JSON.stringify({
        ...pool,
        Results: [{ ...pool.Results[0], Vulnerabilities: window }],
      }),
    );
  });
}

/** The number of distinct findings over all same-scope reports. */
export const SAME_SCOPE_UNION =
  FINDINGS + SAME_SCOPE_STEP * (SAME_SCOPE_UPLOADS - 1);
