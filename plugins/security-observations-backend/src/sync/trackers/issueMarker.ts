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

/**
 * Marks a comment pushed from the Security tab, so that the tracker's
 * webhook for it is not taken in as a new comment. A hidden HTML comment in
 * markdown (GitHub, GitLab); Jira shows text, so its client puts the
 * marker where people see it least (the end of the comment).
 */
export function commentMarker(commentId: string): string {
  return `security-observations:comment=${commentId}`;
}

/** The Security-tab comment id a tracker comment's body carries, if any. */
export function commentIdOfMarker(body: string): string | undefined {
  return /security-observations:comment=([0-9a-f-]{36})/.exec(body)?.[1];
}
