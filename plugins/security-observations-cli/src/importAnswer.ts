import { SEVERITIES, SeverityCounts } from './severities';

/**
 * The backend's answer to an import (201), as far as this tool reads it.
 * `unassessed` is missing from backends older than the CI gate.
 */
export interface ImportAnswer {
  importId: string;
  format: string;
  entityRef: string;
  branch: string;
  scanner: string;
  source: string;
  findings: number;
  counts: {
    new: number;
    updated: number;
    unchanged: number;
    resolved: number;
    reopened: number;
  };
  unassessed?: { all: SeverityCounts; new: SeverityCounts };
  warnings?: Array<{ path: string; message: string }>;
  warningsOmitted?: number;
}

const COUNT_KEYS = [
  'new',
  'updated',
  'unchanged',
  'resolved',
  'reopened',
] as const;

/**
 * The answer, when it has the import answer's shape; undefined otherwise
 * (a 2xx from something that is not the backend plugin).
 */
export function readImportAnswer(json: unknown): ImportAnswer | undefined {
  const answer = json as Partial<ImportAnswer> | null;
  if (
    typeof answer !== 'object' ||
    answer === null ||
    typeof answer.format !== 'string' ||
    typeof answer.entityRef !== 'string' ||
    typeof answer.findings !== 'number' ||
    typeof answer.counts !== 'object' ||
    answer.counts === null ||
    !COUNT_KEYS.every(key => typeof answer.counts![key] === 'number')
  ) {
    return undefined;
  }
  const { unassessed } = answer;
  return {
    ...(answer as ImportAnswer),
    unassessed:
      isSeverityCounts(unassessed?.all) && isSeverityCounts(unassessed?.new)
        ? unassessed
        : undefined,
  };
}

function isSeverityCounts(value: unknown): value is SeverityCounts {
  return (
    typeof value === 'object' &&
    value !== null &&
    SEVERITIES.every(
      severity =>
        typeof (value as Record<string, unknown>)[severity] === 'number',
    )
  );
}
