import { ImportAnswer } from './importAnswer';
import { describeCounts } from './severities';

/**
 * What the upload did, for the CI log:
 *
 *   Uploaded trivy-results.json to component:default/payments-api
 *     Format: trivy
 *     Scope: branch main, scanner trivy
 *     Findings: 4
 *     Observations: 1 new, 0 updated, 3 unchanged, 2 resolved, 0 reopened
 *     Open, not assessed: 1 critical, 2 high (new: 1 high)
 *     Security tab: https://backstage.example.com/catalog/default/component/payments-api/security
 */
export function formatSummary(
  answer: ImportAnswer,
  options: { reportName: string; securityTab: string },
): string {
  const { counts } = answer;
  const scope = [
    `branch ${answer.branch}`,
    `scanner ${answer.scanner}`,
    ...(answer.source ? [`source ${answer.source}`] : []),
  ];
  const lines = [
    `Uploaded ${options.reportName} to ${answer.entityRef}`,
    `  Format: ${answer.format}`,
    `  Scope: ${scope.join(', ')}`,
    `  Findings: ${answer.findings}`,
    `  Observations: ${counts.new} new, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.resolved} resolved, ${counts.reopened} reopened`,
  ];
  const warnings =
    (answer.warnings?.length ?? 0) + (answer.warningsOmitted ?? 0);
  if (warnings > 0) {
    lines.push(
      `  Warnings: ${warnings} optional part${
        warnings === 1 ? ' of the report was' : 's of the report were'
      } skipped, the findings kept (--json lists them)`,
    );
  }
  if (answer.unassessed) {
    const all = describeCounts(answer.unassessed.all) || 'none';
    const introduced = describeCounts(answer.unassessed.new);
    lines.push(
      `  Open, not assessed: ${all}${
        introduced ? ` (new: ${introduced})` : ''
      }`,
    );
  }
  lines.push(`  Security tab: ${options.securityTab}`);
  return `${lines.join('\n')}\n`;
}
