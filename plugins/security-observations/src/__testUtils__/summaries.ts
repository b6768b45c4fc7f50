import { EntitySummary } from 'backstage-plugin-security-observations-common';

/** A summary as the backend answers it for a component with findings. */
export const scannedSummary: EntitySummary = {
  entityRef: 'component:default/payments-api',
  activeBySeverity: {
    critical: 2,
    high: 5,
    medium: 11,
    low: 3,
    none: 0,
    unknown: 1,
  },
  byStatus: {
    open: 22,
    in_review: 0,
    resolved: 4,
    duplicate: 0,
    false_positive: 1,
    not_affected: 0,
    not_security: 0,
    risk_accepted: 0,
  },
  totalActive: 22,
  total: 27,
  lastImportAt: '2026-11-20T08:30:00.000Z',
};

/** The same component, routed to its GitHub repository's issues. */
export const trackedSummary: EntitySummary = {
  ...scannedSummary,
  tracker: {
    trackerId: 'github',
    kind: 'github',
    target: 'acme/payments-api',
    url: 'https://github.com/acme/payments-api/issues',
    problem: null,
  },
};

/** The same component, with an annotation that names no configured tracker. */
export const misroutedSummary: EntitySummary = {
  ...scannedSummary,
  tracker: {
    trackerId: null,
    kind: null,
    target: null,
    url: null,
    problem:
      'The annotation security-observations/tracker names "jira-dc", but securityObservations.trackers configures only: github, jira. Fix the annotation in catalog-info.yaml.',
  },
};

/** A component routed to Jira, whose project lacks the component it names. */
export const refusedTargetSummary: EntitySummary = {
  ...scannedSummary,
  tracker: {
    trackerId: 'jira',
    kind: 'jira',
    target: 'LEDG',
    url: 'https://acme-corp.atlassian.net/jira/software/projects/LEDG/issues',
    problem: null,
    targetProblem:
      "jira/component is 'ledger', but the Jira project LEDG has no such component; create it, or set createComponents: true on the tracker",
  },
};

/** A summary of a component no scanner has reported on. */
export const emptySummary = (entityRef: string): EntitySummary => ({
  entityRef,
  activeBySeverity: {
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
    none: 0,
    unknown: 0,
  },
  byStatus: {
    open: 0,
    in_review: 0,
    resolved: 0,
    duplicate: 0,
    false_positive: 0,
    not_affected: 0,
    not_security: 0,
    risk_accepted: 0,
  },
  totalActive: 0,
  total: 0,
  lastImportAt: null,
});
