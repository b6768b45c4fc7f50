import { Config } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { LoggerService } from '@backstage/backend-plugin-api';
import { TrackerConfig } from './routing/TrackerConfig';
import { TrackerClient } from './trackers/TrackerClient';
import {
  GITHUB_BODY_LIMIT,
  GITHUB_DOT_COM_PACING,
  GitHubTrackerClient,
} from './trackers/github';
import { Clock, systemClock } from './WritePacer';

export interface TrackerClientsOptions {
  config: Config;
  trackers: TrackerConfig[];
  logger: LoggerService;
  /** When a tracker created issues since a time, to seed its pacer. */
  creationTimes: (trackerId: string, since: Date) => Promise<Date[]>;
  clock?: Clock;
  /** Tests and the benchmark: shorter units for Retry-After and windows. */
  timing?: {
    retryBaseMs?: number;
    windowScale?: number;
    requestTimeoutMs?: number;
  };
  /** Tests: credentials without the integrations config. */
  githubCredentials?: GithubCredentialsProvider;
}

/**
 * One client per configured tracker, made on first use and kept, so that
 * its write pacing holds across runs. Trackers that this version cannot
 * sync say so instead of failing silently.
 */
export class TrackerClients {
  private readonly clients = new Map<string, Promise<TrackerClient>>();
  private readonly integrations: ScmIntegrations;
  private readonly githubCredentials: GithubCredentialsProvider;

  constructor(private readonly options: TrackerClientsOptions) {
    this.integrations = ScmIntegrations.fromConfig(options.config);
    this.githubCredentials =
      options.githubCredentials ??
      DefaultGithubCredentialsProvider.fromIntegrations(this.integrations);
  }

  /** The client of a tracker, or undefined when it cannot be synced. */
  async get(trackerId: string): Promise<TrackerClient | undefined> {
    const tracker = this.tracker(trackerId);
    if (!tracker || this.unavailableReason(trackerId) !== undefined) {
      return undefined;
    }
    let client = this.clients.get(trackerId);
    if (!client) {
      client = this.create(tracker);
      this.clients.set(trackerId, client);
    }
    return client;
  }

  /** Why a tracker cannot be synced, in words for the tab; else undefined. */
  unavailableReason(trackerId: string): string | undefined {
    const tracker = this.tracker(trackerId);
    if (!tracker) {
      return `the tracker '${trackerId}' is no longer configured in securityObservations.trackers`;
    }
    if (tracker.credentialsProblem) return tracker.credentialsProblem;
    if (tracker.type !== 'github') {
      return `the tracker '${tracker.id}' is a ${tracker.type} tracker; this version syncs GitHub issues only`;
    }
    return undefined;
  }

  /** The largest issue body the tracker accepts. */
  bodyLimit(_trackerId: string): number {
    return GITHUB_BODY_LIMIT;
  }

  private tracker(trackerId: string): TrackerConfig | undefined {
    return this.options.trackers.find(tracker => tracker.id === trackerId);
  }

  private async create(tracker: TrackerConfig): Promise<TrackerClient> {
    const clock = this.options.clock ?? systemClock;
    const host = tracker.host ?? 'github.com';
    const integration = this.integrations.github.byHost(host);
    const scale = this.options.timing?.windowScale ?? 1;
    const since = new Date(clock.now() - 3_600_000 / scale);
    const recent = await this.options.creationTimes(tracker.id, since);
    return new GitHubTrackerClient({
      trackerId: tracker.id,
      host,
      apiBaseUrl: integration?.config.apiBaseUrl ?? 'https://api.github.com',
      credentials: this.githubCredentials,
      pacing: tracker.githubPacing ?? GITHUB_DOT_COM_PACING,
      clock,
      recentCreations: recent.map(date => date.getTime()),
      retryBaseMs: this.options.timing?.retryBaseMs,
      windowScale: scale,
      requestTimeoutMs: this.options.timing?.requestTimeoutMs,
      log: this.options.logger,
    });
  }
}
