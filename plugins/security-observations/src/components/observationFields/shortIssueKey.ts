/**
 * An issue key short enough for a table cell: `acme-corp/payments-api#3`
 * (GitHub) and `acme-corp/storefront/checkout-web#12` (GitLab) lose their
 * owner and group path, the project name stays; Jira keys (`PAY-12`) and
 * anything else without a path are already short.
 */
export function shortIssueKey(key: string): string {
  const hash = key.lastIndexOf('#');
  const slash = key.lastIndexOf('/', hash);
  // No path before the number, or nothing between the path and the number.
  if (hash < 0 || slash < 0 || slash + 1 === hash) return key;
  return key.slice(slash + 1);
}
