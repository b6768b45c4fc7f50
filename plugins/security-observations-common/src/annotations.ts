/**
 * Catalog annotations that route an entity's observations to a tracker.
 *
 * The well-known annotations of other plugins are reused so that a component
 * which already names its repository needs nothing new. Secrets never live in
 * annotations: credentials come from `integrations` and
 * `securityObservations.trackers` in app-config.
 */

/** `owner/repo` of the GitHub repository, shared with the GitHub plugins. @public */
export const ANNOTATION_GITHUB_PROJECT_SLUG = 'github.com/project-slug';
/** Full path of the GitLab project, shared with the GitLab plugins. @public */
export const ANNOTATION_GITLAB_PROJECT_SLUG = 'gitlab.com/project-slug';
/** Numeric id of the GitLab project, an alternative to the slug. @public */
export const ANNOTATION_GITLAB_PROJECT_ID = 'gitlab.com/project-id';
/** Host of a self-managed GitLab instance. @public */
export const ANNOTATION_GITLAB_INSTANCE = 'gitlab.com/instance';
/** Key of the Jira project, shared with the Jira plugins. @public */
export const ANNOTATION_JIRA_PROJECT_KEY = 'jira/project-key';
/** Jira component to file issues under. @public */
export const ANNOTATION_JIRA_COMPONENT = 'jira/component';

/** Id of the configured tracker to use, needed when several could apply. @public */
export const ANNOTATION_TRACKER = 'security-observations/tracker';
/** Comma-separated labels added to every issue of the entity. @public */
export const ANNOTATION_LABELS = 'security-observations/labels';
/** Lowest severity that gets a tracker issue (`critical` ... `unknown`). @public */
export const ANNOTATION_MINIMUM_SEVERITY =
  'security-observations/minimum-severity';
/** The branch whose observations are synced; `main` when absent. @public */
export const ANNOTATION_DEFAULT_BRANCH = 'security-observations/default-branch';
/** Jira issue type for new issues (defaults to the tracker's configuration). @public */
export const ANNOTATION_JIRA_ISSUE_TYPE =
  'security-observations/jira-issue-type';
