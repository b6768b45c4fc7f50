import { TrackerConfig } from '../../sync/routing/TrackerConfig';
import { TrackerKind } from '../../sync/trackers/TrackerType';
import { githubWebhook } from './githubWebhook';
import { gitlabWebhook } from './gitlabWebhook';
import { jiraWebhook } from './jiraWebhook';
import { TrackerWebhook } from './TrackerWebhook';

/** Each kind of tracker's webhooks. */
export const TRACKER_WEBHOOKS: Record<TrackerKind, TrackerWebhook> = {
  github: githubWebhook,
  gitlab: gitlabWebhook,
  jira: jiraWebhook,
};

const TOPIC_PREFIX = 'security-observations.';

/**
 * The events backend topic of a kind's webhooks: deliveries go to
 * `POST /api/events/http/security-observations.<kind>`.
 */
export function webhookTopic(kind: TrackerKind): string {
  return `${TOPIC_PREFIX}${kind}`;
}

/** The kind of tracker a topic is for, or undefined for another topic. */
export function kindOfTopic(topic: string): TrackerKind | undefined {
  const kind = topic.slice(TOPIC_PREFIX.length);
  return topic.startsWith(TOPIC_PREFIX) && Object.hasOwn(TRACKER_WEBHOOKS, kind)
    ? (kind as TrackerKind)
    : undefined;
}

const hostOfUrl = (url: string | null) => {
  try {
    return url ? new URL(url).host : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The hosts (with ports) a tracker's payload URLs may name: its configured
 * host and the host of its API or site address (GitLab's and GitHub
 * Enterprise's may differ from the integration's host name).
 */
export function trackerHosts(tracker: TrackerConfig): string[] {
  const hosts =
    tracker.type === 'jira'
      ? [hostOfUrl(tracker.baseUrl)]
      : [
          tracker.host,
          hostOfUrl(
            tracker.type === 'gitlab' ? tracker.baseUrl : tracker.apiBaseUrl,
          ),
        ];
  return hosts
    .filter((host): host is string => Boolean(host))
    .map(host => host.toLowerCase());
}

/**
 * The two-way trackers a delivery of a kind may come from: those on the
 * host its payload names, or all of the kind when it names none.
 */
export function webhookTrackers(
  trackers: TrackerConfig[],
  kind: TrackerKind,
  host: string | undefined,
): TrackerConfig[] {
  return trackers.filter(
    tracker =>
      tracker.type === kind &&
      tracker.twoWay !== null &&
      (host === undefined ||
        trackerHosts(tracker).includes(host.toLowerCase())),
  );
}
