import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_DEFAULT_BRANCH,
  ANNOTATION_GITLAB_INSTANCE,
  ANNOTATION_GITLAB_PROJECT_ID,
  ANNOTATION_GITLAB_PROJECT_SLUG,
  ANNOTATION_LABELS,
  ANNOTATION_MINIMUM_SEVERITY,
  ANNOTATION_TRACKER,
  SEVERITIES,
  Severity,
} from 'backstage-plugin-security-observations-common';
import { trackerTypeOf } from '../trackers/trackerTypes';
import { annotationOf as annotation } from '../trackers/TrackerType';
import { TRACKER_LABEL_MAX, TrackerConfig } from './TrackerConfig';

/** Where an entity's observations go, or why they go nowhere. */
export interface TrackerRoute {
  tracker: TrackerConfig | null;
  /** `owner/repo`, the GitLab project path or id, the Jira project key. */
  target: string | null;
  /** Tracker-specific choices from annotations, e.g. Jira's issue type and component. */
  options: Record<string, string>;
  /** The target on the tracker's web UI, when it can be derived. */
  url: string | null;
  /** Configured labels plus the entity's `security-observations/labels`. */
  labels: string[];
  /** Lowest severity that gets an issue. */
  minimumSeverity: Severity;
  /** Only observations of this branch are synced. */
  defaultBranch: string;
  /**
   * Why nothing can be synced, in words that say which annotation or
   * setting to fix; null when the route is usable or the entity simply has
   * no tracker.
   */
  problem: string | null;
}

/**
 * Resolves the tracker an entity routes to, from its annotations and the
 * configured trackers (the spec's rules): the `security-observations/tracker`
 * annotation picks one by id; without it, the one configured tracker whose
 * project annotation the entity has. Every annotation that is set but wrong
 * becomes a problem on the route, never a silent skip.
 */
export function resolveTrackerRoute(
  entity: Entity,
  trackers: TrackerConfig[],
): TrackerRoute {
  const problems: string[] = [];

  const minimumAnnotation = annotation(entity, ANNOTATION_MINIMUM_SEVERITY);
  let minimumSeverity: Severity = 'unknown';
  if (minimumAnnotation) {
    const lower = minimumAnnotation.toLowerCase() as Severity;
    if (SEVERITIES.includes(lower)) {
      minimumSeverity = lower;
    } else {
      problems.push(
        `${ANNOTATION_MINIMUM_SEVERITY} is '${minimumAnnotation}'; expected one of ${SEVERITIES.join(
          ', ',
        )}`,
      );
    }
  }

  const entityLabels = (annotation(entity, ANNOTATION_LABELS) ?? '')
    .split(',')
    .map(label => label.trim())
    .filter(Boolean);
  const longLabel = entityLabels.find(
    label => label.length > TRACKER_LABEL_MAX,
  );
  if (longLabel) {
    problems.push(
      `${ANNOTATION_LABELS} has a label of ${longLabel.length} characters; trackers accept at most ${TRACKER_LABEL_MAX}`,
    );
  }

  const defaultBranch = annotation(entity, ANNOTATION_DEFAULT_BRANCH) ?? 'main';
  const base = { minimumSeverity, defaultBranch };
  const unrouted = (problem: string | null): TrackerRoute => ({
    ...base,
    tracker: null,
    target: null,
    options: {},
    url: null,
    labels: [],
    problem: [problem, ...problems].filter(Boolean).join('; ') || null,
  });

  const named = annotation(entity, ANNOTATION_TRACKER);
  let tracker: TrackerConfig | undefined;
  if (named) {
    tracker = trackers.find(candidate => candidate.id === named);
    if (!tracker) {
      return unrouted(
        `${ANNOTATION_TRACKER} is '${named}', but no tracker has that id (configured: ${
          trackers.map(candidate => candidate.id).join(', ') || 'none'
        })`,
      );
    }
    if (!trackerTypeOf(tracker).projectOf(entity, tracker)) {
      return unrouted(
        unconfiguredGitLabInstance(entity, trackers) ??
          `the tracker '${tracker.id}' needs the ${
            trackerTypeOf(tracker).projectAnnotation
          } annotation`,
      );
    }
  } else {
    const matching = trackers.filter(candidate =>
      trackerTypeOf(candidate).projectOf(entity, candidate),
    );
    if (matching.length === 0) {
      return unrouted(unconfiguredGitLabInstance(entity, trackers));
    }
    if (matching.length > 1) {
      return unrouted(
        `the trackers ${matching
          .map(candidate => `'${candidate.id}'`)
          .join(
            ' and ',
          )} all match this entity's annotations; set ${ANNOTATION_TRACKER} to one of them`,
      );
    }
    tracker = matching[0];
  }

  const kind = trackerTypeOf(tracker);
  const project = kind.projectOf(entity, tracker)!;
  if (project.problem) problems.push(project.problem);
  if (tracker.credentialsProblem) problems.push(tracker.credentialsProblem);

  return {
    ...base,
    tracker,
    target: project.target,
    options: project.options,
    url: kind.webUrl(tracker, project.target),
    labels: [...new Set([...tracker.labels, ...entityLabels])],
    problem: problems.length > 0 ? problems.join('; ') : null,
  };
}

/**
 * A GitLab project on an instance that no configured tracker serves: said
 * as such, rather than as a missing annotation, since the annotations are
 * there and only configuration can add a host.
 */
function unconfiguredGitLabInstance(
  entity: Entity,
  trackers: TrackerConfig[],
): string | null {
  const instance = annotation(entity, ANNOTATION_GITLAB_INSTANCE);
  const hasProject =
    annotation(entity, ANNOTATION_GITLAB_PROJECT_SLUG) ??
    annotation(entity, ANNOTATION_GITLAB_PROJECT_ID);
  if (!instance || !hasProject) return null;
  const hosts = trackers.flatMap(tracker =>
    tracker.type === 'gitlab' ? [tracker.host] : [],
  );
  if (hosts.includes(instance)) return null;
  return `${ANNOTATION_GITLAB_INSTANCE} is '${instance}', but no GitLab tracker is configured for that host (configured: ${
    hosts.join(', ') || 'none'
  })`;
}
