import {
  ANNOTATION_GITLAB_INSTANCE,
  ANNOTATION_GITLAB_PROJECT_ID,
  ANNOTATION_GITLAB_PROJECT_SLUG,
} from 'backstage-plugin-security-observations-common';
import { readCaBundle } from '../caBundle';
import { readPacing } from '../readPacing';
import { annotationOf, TrackerConfigBase, TrackerType } from '../TrackerType';
import {
  GITLAB_DOT_COM_PACING,
  GitLabPacing,
  GitLabTrackerClient,
} from './GitLabTrackerClient';

/** A `type: gitlab` entry of `securityObservations.trackers`. */
export interface GitLabTrackerConfig extends TrackerConfigBase {
  type: 'gitlab';
  /** Host of the `integrations.gitlab` entry whose token it uses. */
  host: string;
  /** The instance's web base, e.g. https://gitlab.com; null without an integration. */
  baseUrl: string | null;
  /** New issues are confidential (default true). */
  confidential: boolean;
  pacing: GitLabPacing;
  ca?: string;
  /** Reads the token when the client is made; never kept in the config. */
  token: () => string | undefined;
}

// No `.` or `..` segment: a path that climbs is no project.
const PROJECT_PATH =
  /^(?!.*(^|\/)\.{1,2}(\/|$))[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;

/** GitLab issues, with the token of Backstage's `integrations.gitlab`. */
export const gitlabTrackerType: TrackerType<GitLabTrackerConfig> = {
  type: 'gitlab',
  displayName: 'GitLab',
  projectAnnotation: `${ANNOTATION_GITLAB_PROJECT_SLUG} or ${ANNOTATION_GITLAB_PROJECT_ID}`,

  readConfig(entry, base, { at, integrations }) {
    const host = entry.getOptionalString('host') ?? 'gitlab.com';
    const integration = integrations.gitlab.byHost(host)?.config;
    let credentialsProblem: string | null = null;
    if (!integration) {
      credentialsProblem = `the tracker '${base.id}' has no credentials: integrations.gitlab has no entry for ${host}`;
    } else if (!integration.token) {
      credentialsProblem = `the tracker '${base.id}' has no credentials: the integrations.gitlab entry for ${host} has no token`;
    } else if (!/\/api\/v4\/?$/.test(integration.apiBaseUrl)) {
      credentialsProblem = `the tracker '${base.id}' cannot reach ${host}: the integrations.gitlab entry's apiBaseUrl ${integration.apiBaseUrl} does not end in /api/v4`;
    }
    const limits = readPacing(entry, at, GITLAB_DOT_COM_PACING);
    const ca = readCaBundle(entry, at);
    return {
      ...base,
      credentialsProblem: base.credentialsProblem ?? credentialsProblem,
      type: 'gitlab',
      host,
      baseUrl: integration
        ? integration.apiBaseUrl.replace(/\/api\/v4\/?$/, '')
        : null,
      confidential: entry.getOptionalBoolean('confidential') ?? true,
      pacing: limits,
      ...(ca ? { ca } : {}),
      token: () => integrations.gitlab.byHost(host)?.config.token,
    };
  },

  projectOf(entity, tracker) {
    // A project on another instance is not this tracker's.
    const instance = annotationOf(entity, ANNOTATION_GITLAB_INSTANCE);
    if (instance && instance !== tracker.host) return undefined;
    const slug = annotationOf(entity, ANNOTATION_GITLAB_PROJECT_SLUG);
    if (slug) {
      return PROJECT_PATH.test(slug)
        ? { target: slug, options: {} }
        : {
            target: slug,
            options: {},
            problem: `${ANNOTATION_GITLAB_PROJECT_SLUG} is '${slug}'; expected group/project`,
          };
    }
    const id = annotationOf(entity, ANNOTATION_GITLAB_PROJECT_ID);
    if (!id) return undefined;
    return /^\d+$/.test(id)
      ? { target: id, options: {} }
      : {
          target: id,
          options: {},
          problem: `${ANNOTATION_GITLAB_PROJECT_ID} is '${id}'; expected a number`,
        };
  },

  webUrl(tracker, target) {
    const base = tracker.baseUrl ?? `https://${tracker.host}`;
    return /^\d+$/.test(target) ? null : `${base}/${target}/-/issues`;
  },

  createClient(tracker, deps) {
    return new GitLabTrackerClient({
      trackerId: tracker.id,
      // Not synced while credentialsProblem says the integration is missing.
      baseUrl: tracker.baseUrl!,
      token: tracker.token()!,
      confidential: tracker.confidential,
      pacing: tracker.pacing,
      ca: tracker.ca,
      clock: deps.clock,
      recentCreations: deps.recentCreations,
      requestTimeoutMs: deps.timing.requestTimeoutMs,
      retryBaseMs: deps.timing.retryBaseMs,
      windowScale: deps.timing.windowScale,
    });
  },
};
