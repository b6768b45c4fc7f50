/** The report formats the backend reads (`format` of the import route). */
export const REPORT_FORMATS = [
  'sarif',
  'cyclonedx',
  'trivy',
  'grype',
  'osv',
  'gitleaks',
  'semgrep',
] as const;

export type ReportFormat = (typeof REPORT_FORMATS)[number];
