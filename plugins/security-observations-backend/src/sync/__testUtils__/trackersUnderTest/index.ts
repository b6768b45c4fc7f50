import { githubUnderTest } from './github';
import { gitlabUnderTest } from './gitlab';
import { jiraUnderTest } from './jira';
import { TrackerUnderTest } from './TrackerUnderTest';

export type {
  SeenIssue,
  TestFault,
  TrackerUnderTest,
} from './TrackerUnderTest';

/**
 * Every tracker the scenario suites run against, as `describe.each` rows:
 * the same rules hold for all of them.
 */
export function trackersUnderTest(): Array<[string, TrackerUnderTest]> {
  return [
    githubUnderTest(),
    gitlabUnderTest(),
    jiraUnderTest('cloud'),
    jiraUnderTest('datacenter'),
  ].map(tracker => [tracker.name, tracker]);
}
