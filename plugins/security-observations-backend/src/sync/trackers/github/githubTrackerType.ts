import { ANNOTATION_GITHUB_PROJECT_SLUG } from 'backstage-plugin-security-observations-common';
import { readCaBundle } from '../caBundle';
import { readPacing } from '../readPacing';
import { annotationOf, TrackerConfigBase, TrackerType } from '../TrackerType';
import {
  GITHUB_DOT_COM_PACING,
  GitHubPacing,
  GitHubTrackerClient,
} from './GitHubTrackerClient';

/** A `type: github` entry of `securityObservations.trackers`. */
export interface GitHubTrackerConfig extends TrackerConfigBase {
  type: 'github';
  /** Host of the `integrations.github` entry whose credentials it uses. */
  host: string;
  /** REST base of that entry; null when missing (then `credentialsProblem` says so). */
  apiBaseUrl: string | null;
  pacing: GitHubPacing;
  /** PEM bundle of a private CA of GitHub Enterprise Server. */
  ca?: string;
}

// No `.` or `..` segment: Octokit would resolve `../user` to another API path.
const SLUG = /^(?!\.{1,2}\/)[A-Za-z0-9_.-]+\/(?!\.{1,2}$)[A-Za-z0-9_.-]+$/;

/** GitHub Issues, with credentials from Backstage's `integrations.github`. */
export const githubTrackerType: TrackerType<GitHubTrackerConfig> = {
  type: 'github',
  displayName: 'GitHub',
  projectAnnotation: ANNOTATION_GITHUB_PROJECT_SLUG,

  readConfig(entry, base, { at, integrations }) {
    const host = entry.getOptionalString('host') ?? 'github.com';
    const integration = integrations.github.byHost(host);
    const config = integration?.config as
      | { apiBaseUrl?: string; token?: string; apps?: unknown[] }
      | undefined;
    let credentialsProblem: string | null = null;
    if (!config) {
      credentialsProblem = `the tracker '${base.id}' has no credentials: integrations.github has no entry for ${host}`;
    } else if (!config.apiBaseUrl) {
      // Never guess api.github.com for another host: its credentials would
      // be sent to GitHub.com.
      credentialsProblem = `the tracker '${base.id}' cannot reach ${host}: the integrations.github entry for ${host} has no apiBaseUrl (for GitHub Enterprise Server: https://${host}/api/v3)`;
    } else if (!config.token && !config.apps?.length) {
      credentialsProblem = `the tracker '${base.id}' has no credentials: the integrations.github entry for ${host} has no token or GitHub App`;
    }
    const limits = readPacing(entry, at, GITHUB_DOT_COM_PACING, {
      writesPerMinutePerEndpoint: 'writesPerMinute',
    });
    const ca = readCaBundle(entry, at);
    return {
      ...base,
      credentialsProblem: base.credentialsProblem ?? credentialsProblem,
      type: 'github',
      host,
      apiBaseUrl: config?.apiBaseUrl ?? null,
      pacing: limits,
      ...(ca ? { ca } : {}),
    };
  },

  projectOf(entity) {
    const slug = annotationOf(entity, ANNOTATION_GITHUB_PROJECT_SLUG);
    if (!slug) return undefined;
    return SLUG.test(slug)
      ? { target: slug, options: {} }
      : {
          target: slug,
          options: {},
          problem: `${ANNOTATION_GITHUB_PROJECT_SLUG} is '${slug}'; expected owner/repository`,
        };
  },

  webUrl(tracker, target) {
    return `https://${tracker.host}/${target}/issues`;
  },

  createClient(tracker, deps) {
    return new GitHubTrackerClient({
      trackerId: tracker.id,
      host: tracker.host,
      // The tracker is not synced while credentialsProblem says it lacks one.
      apiBaseUrl: tracker.apiBaseUrl!,
      credentials: deps.githubCredentials,
      pacing: tracker.pacing,
      ca: tracker.ca,
      clock: deps.clock,
      recentCreations: deps.recentCreations,
      retryBaseMs: deps.timing.retryBaseMs,
      windowScale: deps.timing.windowScale ?? 1,
      requestTimeoutMs: deps.timing.requestTimeoutMs,
      log: deps.logger,
    });
  },
};
