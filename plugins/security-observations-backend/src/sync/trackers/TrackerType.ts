import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  GithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { Clock } from '../WritePacer';
import { TwoWaySettings } from '../../twoWay/TwoWaySettings';
import { TrackerClient } from './TrackerClient';

/** The kinds of tracker the sync speaks to. */
export type TrackerKind = 'github' | 'gitlab' | 'jira';

/** What every entry of `securityObservations.trackers` has. */
export interface TrackerConfigBase {
  id: string;
  /** Labels added to every issue this tracker creates. */
  labels: string[];
  /**
   * Why the tracker cannot sync (no credentials, say), or null. Never the
   * credentials themselves.
   */
  credentialsProblem: string | null;
  /** Two-way sync settings; null unless `twoWay: true`. */
  twoWay: TwoWaySettings | null;
}

/** The project an entity's annotations name for a tracker. */
export interface ProjectAnnotation {
  /** `owner/repo`, the GitLab project path or id, the Jira project key. */
  target: string;
  /** Tracker-specific choices, e.g. Jira's issue type and component. */
  options: Record<string, string>;
  /** What is wrong with the annotations, in words that say what to fix. */
  problem?: string;
}

/** How a client keeps time: its clock, pacing history and request timing. */
export interface TrackerClientTiming {
  clock: Clock;
  /** When this tracker created issues in the last hour (from the database). */
  recentCreations?: number[];
  /** Per request, including the waits of retries. */
  requestTimeoutMs?: number;
  /** Unit of Retry-After and of backoffs (1000: seconds). */
  retryBaseMs?: number;
  /** Time scale of pacing windows (1: real minutes and hours). */
  windowScale?: number;
}

/** What a tracker client is made with, besides its configuration. */
export interface TrackerClientDeps {
  integrations: ScmIntegrations;
  githubCredentials: GithubCredentialsProvider;
  clock: Clock;
  logger: LoggerService;
  /** When this tracker created issues in the last hour (from the database). */
  recentCreations: number[];
  /** Tests: fail on an answer whose shape the client library does not expect. */
  strictResponses?: boolean;
  timing: {
    /** Unit of Retry-After and of backoffs (1000: seconds). */
    retryBaseMs?: number;
    /** Time scale of pacing windows (1: real minutes and hours). */
    windowScale?: number;
    /** Per request, including the waits of retries. */
    requestTimeoutMs?: number;
  };
}

/**
 * One kind of tracker: how its configuration is read, which annotations
 * route an entity to it, and how its client is made. Everything that
 * differs between GitHub, GitLab and Jira lives behind this, so the
 * routing and the engine never ask which kind a tracker is.
 */
export interface TrackerType<C extends TrackerConfigBase & { type: string }> {
  type: C['type'];
  /** The tracker's name for people, e.g. GitHub. */
  displayName: string;
  /** The annotation(s) naming the project, for messages. */
  projectAnnotation: string;
  /**
   * Reads one entry of `securityObservations.trackers` of this type. Wrong
   * structure throws with the key to fix (the backend does not start);
   * missing credentials go to `credentialsProblem`.
   */
  readConfig(
    entry: Config,
    base: TrackerConfigBase,
    context: { at: string; integrations: ScmIntegrations },
  ): C;
  /**
   * The project the entity names for this tracker, or undefined when it
   * names none (or one on another instance of the tracker).
   */
  projectOf(entity: Entity, tracker: C): ProjectAnnotation | undefined;
  /** The target's issues on the tracker's web UI, when it can be derived. */
  webUrl(tracker: C, target: string): string | null;
  createClient(tracker: C, deps: TrackerClientDeps): TrackerClient;
}

/** An annotation's trimmed value, or undefined when it is missing or blank. */
export function annotationOf(entity: Entity, name: string): string | undefined {
  const value = entity.metadata.annotations?.[name]?.trim();
  return value ? value : undefined;
}
