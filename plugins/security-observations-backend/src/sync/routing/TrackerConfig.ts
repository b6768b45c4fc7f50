import { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';

export type TrackerKind = 'github' | 'gitlab' | 'jira';

/** One entry of `securityObservations.trackers`, as routing needs it. */
export interface TrackerConfig {
  id: string;
  type: TrackerKind;
  /** GitHub and GitLab: the host of the `integrations` entry it uses. */
  host?: string;
  /** Jira: base URL of the site. */
  baseUrl?: string;
  deployment?: 'cloud' | 'datacenter';
  /** Labels added to every issue this tracker creates. */
  labels: string[];
  /** GitHub: write pacing below the secondary limits; GitHub.com's by default. */
  githubPacing?: {
    createsPerMinute: number;
    createsPerHour: number;
    writesPerMinutePerEndpoint: number;
  };
  /**
   * Why the tracker cannot sync (no credentials), or null. Never the
   * credentials themselves.
   */
  credentialsProblem: string | null;
}

const TRACKER_TYPES: TrackerKind[] = ['github', 'gitlab', 'jira'];

/** The longest label GitHub accepts (and the shortest limit of the three). */
export const TRACKER_LABEL_MAX = 50;

/**
 * Reads `securityObservations.trackers`. Structure errors (a missing id, an
 * unknown type, a duplicate id) stop the backend at start-up with the key
 * that is wrong; missing credentials do not, they are reported per entity.
 */
export function readTrackersConfig(config: Config): TrackerConfig[] {
  const integrations = ScmIntegrations.fromConfig(config);
  const entries =
    config.getOptionalConfigArray('securityObservations.trackers') ?? [];
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const at = `securityObservations.trackers[${index}]`;
    const id = entry.getString('id');
    if (seen.has(id)) {
      throw new Error(`${at}.id: the id '${id}' is used twice`);
    }
    seen.add(id);
    const type = entry.getString('type') as TrackerKind;
    if (!TRACKER_TYPES.includes(type)) {
      throw new Error(
        `${at}.type: '${type}' is not one of ${TRACKER_TYPES.join(', ')}`,
      );
    }
    const labels = (entry.getOptionalStringArray('labels') ?? []).map(label =>
      label.trim(),
    );
    labels.forEach((label, i) => {
      // A label the tracker refuses would fail every create of the tracker.
      if (!label || label.length > TRACKER_LABEL_MAX) {
        throw new Error(
          `${at}.labels[${i}]: a label must have 1 to ${TRACKER_LABEL_MAX} characters`,
        );
      }
    });

    if (type === 'jira') {
      const deployment = (entry.getOptionalString('deployment') ??
        'cloud') as TrackerConfig['deployment'];
      if (deployment !== 'cloud' && deployment !== 'datacenter') {
        throw new Error(
          `${at}.deployment: '${deployment}' is not one of cloud, datacenter`,
        );
      }
      const hasCredentials =
        deployment === 'cloud'
          ? Boolean(
              entry.getOptionalString('email') &&
                entry.getOptionalString('apiToken'),
            )
          : Boolean(entry.getOptionalString('personalAccessToken'));
      return {
        id,
        type,
        deployment,
        baseUrl: entry.getString('baseUrl').replace(/\/+$/, ''),
        labels,
        credentialsProblem: hasCredentials
          ? null
          : `the Jira tracker '${id}' has no credentials: set ${
              deployment === 'cloud'
                ? 'email and apiToken'
                : 'personalAccessToken'
            } in ${at}`,
      };
    }

    const host = entry.getOptionalString('host') ?? `${type}.com`;
    const integration =
      type === 'github'
        ? integrations.github.byHost(host)
        : integrations.gitlab.byHost(host);
    let credentialsProblem: string | null = null;
    if (!integration) {
      credentialsProblem = `the tracker '${id}' has no credentials: integrations.${type} has no entry for ${host}`;
    } else if (type === 'github' && !integration.config.apiBaseUrl) {
      // Never guess api.github.com for another host: its credentials would
      // be sent to GitHub.com.
      credentialsProblem = `the tracker '${id}' cannot reach ${host}: the integrations.github entry for ${host} has no apiBaseUrl (for GitHub Enterprise Server: https://${host}/api/v3)`;
    } else if (
      type === 'github'
        ? !(
            (integration.config as { token?: string; apps?: unknown[] })
              .token ||
            (integration.config as { apps?: unknown[] }).apps?.length
          )
        : !(integration.config as { token?: string }).token
    ) {
      credentialsProblem = `the tracker '${id}' has no credentials: the integrations.${type} entry for ${host} has no ${
        type === 'github' ? 'token or GitHub App' : 'token'
      }`;
    }
    const pacing = entry.getOptionalConfig('pacing');
    const githubPacing = pacing && {
      createsPerMinute: pacing.getOptionalNumber('createsPerMinute') ?? 80,
      createsPerHour: pacing.getOptionalNumber('createsPerHour') ?? 500,
      writesPerMinutePerEndpoint:
        pacing.getOptionalNumber('writesPerMinute') ?? 180,
    };
    if (
      githubPacing &&
      !Object.values(githubPacing).every(value => value > 0)
    ) {
      throw new Error(`${at}.pacing: every limit must be a positive number`);
    }
    return {
      id,
      type,
      host,
      labels,
      credentialsProblem,
      ...(githubPacing ? { githubPacing } : {}),
    };
  });
}
