import { ImportAnswer } from '../importAnswer';
import { SeverityCounts } from '../severities';

export const NO_OBSERVATIONS: SeverityCounts = {
  critical: 0,
  high: 0,
  medium: 0,
  low: 0,
  none: 0,
  unknown: 0,
};

/**
 * The backend's 201 answer for a Trivy image scan of payments-api that
 * found one new high and left a critical one, unassessed, from before.
 */
export const trivyImportAnswer: ImportAnswer = {
  importId: '0b8e5a3c-2f41-4d8e-9a57-1c0e6f3b7d21',
  format: 'trivy',
  entityRef: 'component:default/payments-api',
  branch: 'main',
  scanner: 'trivy',
  source: 'image',
  findings: 4,
  counts: { new: 1, updated: 0, unchanged: 3, resolved: 2, reopened: 0 },
  unassessed: {
    all: { ...NO_OBSERVATIONS, critical: 1, high: 1, medium: 2 },
    new: { ...NO_OBSERVATIONS, high: 1 },
  },
  warnings: [],
};
