/**
 * A report past one of the import's limits (nesting depth, number of
 * findings), though it may be valid: the message says which limit, where
 * it was passed, and what to do. The router answers it with 400.
 */
export class ReportLimitError extends Error {
  readonly name = 'ReportLimitError';
}

/**
 * Findings (and elements of a report's large lists: results, matches,
 * components) one import takes. Twice and more the 100k-finding import
 * the backend is measured with (docs/benchmarks.md); a report beyond it
 * would hold a core and a gigabyte of memory for minutes, and is refused
 * before anything is stored.
 */
export const MAX_REPORT_FINDINGS = 250_000;
