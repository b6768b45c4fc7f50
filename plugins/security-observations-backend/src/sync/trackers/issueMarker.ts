/*
 * How an issue names the observation it belongs to, so that a create whose
 * answer was lost (a crash, a timeout) is found instead of made twice.
 */

/** A hidden HTML comment at the start of a markdown body (GitHub, GitLab). */
export function bodyMarker(observationId: string): string {
  return `<!-- security-observations:observation=${observationId} -->`;
}

/**
 * A label (Jira): JQL cannot search issue properties without an app that
 * indexes them, but it finds labels.
 */
export function labelMarker(observationId: string): string {
  return `security-observation-${observationId}`;
}
