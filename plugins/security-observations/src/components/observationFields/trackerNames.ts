import { EntitySummary } from 'backstage-plugin-security-observations-common';

/** Product names of the trackers, and of the Security tab as a comment origin. */
export const TRACKER_NAMES: Record<string, string> = {
  backstage: 'Backstage',
  github: 'GitHub',
  gitlab: 'GitLab',
  jira: 'Jira',
};

/** A tracker kind (or comment origin) by its product name; else as given. */
export function trackerName(kind: string): string {
  return TRACKER_NAMES[kind] ?? kind;
}

/**
 * The name of the tracker an observation's issue lives on. Observations
 * carry the configured tracker's id (`github`, `jira-dc`, ...); the
 * entity's summary knows its kind when the id is the one the entity routes
 * to. Otherwise the id is the best name there is.
 */
export function trackerNameOfIssue(
  trackerId: string | null | undefined,
  routing: EntitySummary['tracker'],
): string {
  if (!trackerId) return 'the tracker';
  if (routing?.kind && routing.trackerId === trackerId) {
    return trackerName(routing.kind);
  }
  return trackerName(trackerId);
}

/**
 * A tracker user from an audit actor like `github:octocat` or
 * `jira:Jane Doe`: the user's name and the tracker's. Undefined when the
 * actor has no tracker prefix.
 */
export function trackerUser(
  actor: string,
): { name: string; tracker: string } | undefined {
  const colon = actor.indexOf(':');
  if (colon <= 0 || colon === actor.length - 1) return undefined;
  return {
    tracker: trackerName(actor.slice(0, colon)),
    name: actor.slice(colon + 1),
  };
}
