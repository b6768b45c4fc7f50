import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_DEFAULT_BRANCH,
  ANNOTATION_GITHUB_PROJECT_SLUG,
  ANNOTATION_GITLAB_INSTANCE,
  ANNOTATION_GITLAB_PROJECT_ID,
  ANNOTATION_GITLAB_PROJECT_SLUG,
  ANNOTATION_JIRA_COMPONENT,
  ANNOTATION_JIRA_ISSUE_TYPE,
  ANNOTATION_JIRA_PROJECT_KEY,
  ANNOTATION_LABELS,
  ANNOTATION_MINIMUM_SEVERITY,
  ANNOTATION_TRACKER,
  SEVERITIES,
  Severity,
} from 'backstage-plugin-security-observations-common';
import { TRACKER_LABEL_MAX, TrackerConfig, TrackerKind } from './TrackerConfig';

/** Where an entity's observations go, or why they go nowhere. */
export interface TrackerRoute {
  tracker: TrackerConfig | null;
  /** `owner/repo`, the GitLab project path or id, the Jira project key. */
  target: string | null;
  /** The target on the tracker's web UI, when it can be derived. */
  url: string | null;
  /** Configured labels plus the entity's `security-observations/labels`. */
  labels: string[];
  /** Lowest severity that gets an issue. */
  minimumSeverity: Severity;
  /** Only observations of this branch are synced. */
  defaultBranch: string;
  jira?: { component?: string; issueType: string };
  /**
   * Why nothing can be synced, in words that say which annotation or
   * setting to fix; null when the route is usable or the entity simply has
   * no tracker.
   */
  problem: string | null;
}

const GITHUB_SLUG = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const GITLAB_PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
const JIRA_KEY = /^[A-Z][A-Z0-9_]+$/;

/** The project annotation each tracker kind needs, for messages. */
const PROJECT_ANNOTATION: Record<TrackerKind, string> = {
  github: ANNOTATION_GITHUB_PROJECT_SLUG,
  gitlab: `${ANNOTATION_GITLAB_PROJECT_SLUG} or ${ANNOTATION_GITLAB_PROJECT_ID}`,
  jira: ANNOTATION_JIRA_PROJECT_KEY,
};

function annotation(entity: Entity, name: string): string | undefined {
  const value = entity.metadata.annotations?.[name]?.trim();
  return value ? value : undefined;
}

/** The project an entity names for a tracker kind, if any. */
function projectOf(
  entity: Entity,
  kind: TrackerKind,
): { target: string; problem?: string; host?: string } | undefined {
  if (kind === 'github') {
    const slug = annotation(entity, ANNOTATION_GITHUB_PROJECT_SLUG);
    if (!slug) return undefined;
    return GITHUB_SLUG.test(slug)
      ? { target: slug }
      : {
          target: slug,
          problem: `${ANNOTATION_GITHUB_PROJECT_SLUG} is '${slug}'; expected owner/repository`,
        };
  }
  if (kind === 'gitlab') {
    const host = annotation(entity, ANNOTATION_GITLAB_INSTANCE);
    const slug = annotation(entity, ANNOTATION_GITLAB_PROJECT_SLUG);
    const id = annotation(entity, ANNOTATION_GITLAB_PROJECT_ID);
    if (slug) {
      return GITLAB_PATH.test(slug)
        ? { target: slug, host }
        : {
            target: slug,
            host,
            problem: `${ANNOTATION_GITLAB_PROJECT_SLUG} is '${slug}'; expected group/project`,
          };
    }
    if (id) {
      return /^\d+$/.test(id)
        ? { target: id, host }
        : {
            target: id,
            host,
            problem: `${ANNOTATION_GITLAB_PROJECT_ID} is '${id}'; expected a number`,
          };
    }
    return undefined;
  }
  const key = annotation(entity, ANNOTATION_JIRA_PROJECT_KEY);
  if (!key) return undefined;
  return JIRA_KEY.test(key)
    ? { target: key }
    : {
        target: key,
        problem: `${ANNOTATION_JIRA_PROJECT_KEY} is '${key}'; expected a Jira project key such as PAY`,
      };
}

function webUrl(tracker: TrackerConfig, target: string): string | null {
  if (tracker.type === 'github') {
    const host = tracker.host ?? 'github.com';
    return /^\d+$/.test(target) ? null : `https://${host}/${target}/issues`;
  }
  if (tracker.type === 'gitlab') {
    const host = tracker.host ?? 'gitlab.com';
    return /^\d+$/.test(target) ? null : `https://${host}/${target}/-/issues`;
  }
  return tracker.baseUrl
    ? `${tracker.baseUrl}/jira/software/projects/${target}/issues`
    : null;
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
    if (!projectOf(entity, tracker.type)) {
      return unrouted(
        `the tracker '${tracker.id}' needs the ${
          PROJECT_ANNOTATION[tracker.type]
        } annotation`,
      );
    }
  } else {
    const matching = trackers.filter(candidate => {
      const project = projectOf(entity, candidate.type);
      if (!project) return false;
      // A GitLab project on another instance is not this tracker's.
      return (
        candidate.type !== 'gitlab' ||
        !project.host ||
        project.host === candidate.host
      );
    });
    if (matching.length === 0) {
      return unrouted(null);
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

  const project = projectOf(entity, tracker.type)!;
  if (project.problem) problems.push(project.problem);
  if (tracker.credentialsProblem) problems.push(tracker.credentialsProblem);

  return {
    ...base,
    tracker,
    target: project.target,
    url: webUrl(tracker, project.target),
    labels: [...new Set([...tracker.labels, ...entityLabels])],
    ...(tracker.type === 'jira'
      ? {
          jira: {
            component: annotation(entity, ANNOTATION_JIRA_COMPONENT),
            issueType: annotation(entity, ANNOTATION_JIRA_ISSUE_TYPE) ?? 'Bug',
          },
        }
      : {}),
    problem: problems.length > 0 ? problems.join('; ') : null,
  };
}
