import {
  GitHubTrackerConfig,
  githubTrackerType,
} from './github/githubTrackerType';
import {
  GitLabTrackerConfig,
  gitlabTrackerType,
} from './gitlab/gitlabTrackerType';
import { JiraTrackerConfig, jiraTrackerType } from './jira/jiraTrackerType';
import { TrackerKind, TrackerType } from './TrackerType';

/** One entry of `securityObservations.trackers`, of any kind. */
export type TrackerConfig =
  | GitHubTrackerConfig
  | GitLabTrackerConfig
  | JiraTrackerConfig;

/** Every kind of tracker the sync speaks to, by its `type`. */
export const TRACKER_TYPES: {
  [K in TrackerKind]: TrackerType<Extract<TrackerConfig, { type: K }>>;
} = {
  github: githubTrackerType,
  gitlab: gitlabTrackerType,
  jira: jiraTrackerType,
};

/** The definition of a configured tracker's kind. */
export function trackerTypeOf(
  tracker: TrackerConfig,
): TrackerType<TrackerConfig> {
  return TRACKER_TYPES[tracker.type] as unknown as TrackerType<TrackerConfig>;
}
