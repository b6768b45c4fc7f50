import { Config } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { LoggerService } from '@backstage/backend-plugin-api';
import { TrackerConfig } from './routing/TrackerConfig';
import { TrackerClient } from './trackers/TrackerClient';
import { trackerTypeOf } from './trackers/trackerTypes';
import { TrackerClientDeps } from './trackers/TrackerType';
import { Clock, systemClock } from './WritePacer';

export interface TrackerClientsOptions {
  config: Config;
  trackers: TrackerConfig[];
  logger: LoggerService;
  /** When a tracker created issues since a time, to seed its pacer. */
  creationTimes: (trackerId: string, since: Date) => Promise<Date[]>;
  clock?: Clock;
  /** Tests and the benchmark: shorter units for Retry-After and windows. */
  timing?: TrackerClientDeps['timing'];
  /** Tests: credentials without the integrations config. */
  githubCredentials?: GithubCredentialsProvider;
  /** Tests: fail on answers whose shape the client libraries do not expect. */
  strictResponses?: boolean;
}

/**
 * One client per configured tracker, made on first use and kept, so that
 * its write pacing holds across runs. Trackers that cannot sync (no
 * credentials, no longer configured) say so instead of failing silently.
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
      // A failure (the database, say) must not stick: the next run retries.
      client.catch(() => this.clients.delete(trackerId));
    }
    return client;
  }

  /**
   * Before a run: tells every client which issues its tracker created in
   * the last hour, by any replica. Replicas take turns running the sync,
   * so a client's own count would miss what the others created.
   */
  async refreshPacing(): Promise<void> {
    for (const [trackerId, client] of this.clients) {
      const resolved = await client.catch(() => undefined);
      if (resolved)
        resolved.seedCreations(await this.recentCreations(trackerId));
    }
  }

  /** Why a tracker cannot be synced, in words for the tab; else undefined. */
  unavailableReason(trackerId: string): string | undefined {
    const tracker = this.tracker(trackerId);
    if (!tracker) {
      return `the tracker '${trackerId}' is no longer configured in securityObservations.trackers`;
    }
    return tracker.credentialsProblem ?? undefined;
  }

  /** Whether the tracker is (still) in `securityObservations.trackers`. */
  isConfigured(trackerId: string): boolean {
    return this.tracker(trackerId) !== undefined;
  }

  /** When the tracker created issues within the last (scaled) hour. */
  private async recentCreations(trackerId: string): Promise<number[]> {
    const clock = this.options.clock ?? systemClock;
    const scale = this.options.timing?.windowScale ?? 1;
    const since = new Date(clock.now() - 3_600_000 / scale);
    const times = await this.options.creationTimes(trackerId, since);
    return times.map(date => date.getTime());
  }

  private tracker(trackerId: string): TrackerConfig | undefined {
    return this.options.trackers.find(tracker => tracker.id === trackerId);
  }

  private async create(tracker: TrackerConfig): Promise<TrackerClient> {
    return trackerTypeOf(tracker).createClient(tracker, {
      integrations: this.integrations,
      githubCredentials: this.githubCredentials,
      clock: this.options.clock ?? systemClock,
      logger: this.options.logger,
      recentCreations: await this.recentCreations(tracker.id),
      timing: this.options.timing ?? {},
      strictResponses: this.options.strictResponses,
    });
  }
}
