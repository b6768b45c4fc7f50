import { goneOrOutOfReach } from '../issueGone';
import { LiveRead, LiveReadRequest } from '../TrackerClient';
import { TrackerError } from '../TrackerError';
import {
  CHANGELOG_PAGE_SIZE,
  JiraApi,
  JiraLiveIssue,
  LIVE_PAGE_SIZE,
} from './JiraApi';
import {
  browseUrl,
  formerKeysOf,
  JiraHistoryJson,
  lastStatusChangeOf,
  liveStatusOf,
} from './jiraLiveIssue';

/**
 * Pages of an issue's changelog read back from its newest entry when the
 * embedded one was capped: an issue whose last status change is further
 * back (hundreds of edits since) says nobody and no time rather than cost
 * a request per hundred entries on every reconciliation.
 */
const MAX_CHANGELOG_PAGES = 5;

export interface JiraIssueReadsOptions {
  api: JiraApi;
  baseUrl: string;
  /** Sends one read through the client's pacing, retry policy and error mapping. */
  send<T>(what: string, call: () => Promise<T>): Promise<T>;
}

/**
 * The reconciliation's reads of linked Jira issues: `key in (...)`
 * searches of up to 50 keys with each issue's changelog (who changed the
 * status last, and the keys it had before a move). Jira refuses (400) JQL
 * that names a key it does not know or the credentials cannot see, and
 * names the key: those are read one by one (404: gone), the rest searched
 * again. A key no search answer accounts for (a moved issue whose
 * changelog does not show the old key) is read by that key too, which
 * Jira still resolves. Jira caps the changelog it embeds (`total` says
 * how long it is): the last status change may then be missing, and the
 * changelog is read by itself.
 */
export class JiraIssueReads {
  /** Project reads of this run, for telling "gone" from "out of reach". */
  private readonly projects = new Map<string, Promise<unknown>>();

  constructor(private readonly options: JiraIssueReadsOptions) {}

  async read(requests: LiveReadRequest[]): Promise<LiveRead[]> {
    const keys = [...new Set(requests.map(request => request.key))];
    const reads = new Map<string, LiveRead>();
    for (let start = 0; start < keys.length; start += LIVE_PAGE_SIZE) {
      const batch = keys.slice(start, start + LIVE_PAGE_SIZE);
      for (const read of await this.search(batch)) reads.set(read.key, read);
    }
    return requests.map(request => reads.get(request.key)!);
  }

  private async search(keys: string[]): Promise<LiveRead[]> {
    if (keys.length === 0) return [];
    let issues: JiraLiveIssue[];
    try {
      issues = await this.searchAll(keys);
    } catch (error) {
      if (!(error instanceof TrackerError) || error.details.status !== 400) {
        throw error;
      }
      const named = keys.filter(key =>
        error.message.toUpperCase().includes(`'${key.toUpperCase()}'`),
      );
      if (named.length === 0 || named.length === keys.length) {
        return this.readOneByOne(keys);
      }
      return [
        ...(await this.search(keys.filter(key => !named.includes(key)))),
        ...(await this.readOneByOne(named)),
      ];
    }
    const unanswered = new Set(keys);
    const reads: LiveRead[] = [];
    for (const issue of issues) {
      const asked = [
        issue.key,
        ...formerKeysOf(issue.changelog?.histories),
      ].filter(key => unanswered.has(key));
      if (asked.length === 0) continue;
      const read = await this.found(issue);
      for (const key of asked) {
        unanswered.delete(key);
        reads.push({ ...read, key });
      }
    }
    return [...reads, ...(await this.readOneByOne([...unanswered]))];
  }

  private async searchAll(keys: string[]): Promise<JiraLiveIssue[]> {
    const jql = `key in (${keys.map(key => `"${key}"`).join(', ')})`;
    const what = `read the issues ${keys[0]}${
      keys.length > 1 ? ' and others' : ''
    }`;
    const issues: JiraLiveIssue[] = [];
    let next: string | undefined;
    do {
      const page = next;
      const answer = await this.options.send(what, () =>
        this.options.api.searchLiveIssues(jql, page),
      );
      issues.push(...answer.issues);
      next = answer.issues.length > 0 ? answer.next : undefined;
    } while (next);
    return issues;
  }

  private async readOneByOne(keys: string[]): Promise<LiveRead[]> {
    const reads: LiveRead[] = [];
    for (const key of keys) reads.push(await this.readOne(key));
    return reads;
  }

  /**
   * One issue by key: 404 is gone while its project can be read, and
   * unreadable (the credentials lost the project) when it cannot.
   */
  private async readOne(key: string): Promise<LiveRead> {
    let issue: JiraLiveIssue;
    try {
      issue = await this.options.send(`read ${key}`, () =>
        this.options.api.getLiveIssue(key),
      );
    } catch (error) {
      if (!(error instanceof TrackerError) || error.details.status !== 404) {
        throw error;
      }
      const project = key.replace(/-\d+$/, '');
      const verdict = await goneOrOutOfReach({
        notFound: error,
        readProject: () => this.readProject(project),
        gone: `Jira could not read ${key}: the issue is gone (404)`,
        outOfReach: new TrackerError(
          'not_found',
          `Jira could not read ${key}: 404 the project ${project} does not exist or the credentials cannot see it`,
          error.details,
        ),
      });
      // The credentials lost the project: say so rather than call its
      // issues gone, and read the others.
      if (verdict.kind !== 'gone') {
        return { key, outcome: 'unreadable', problem: verdict.message };
      }
      return { key, outcome: 'gone' };
    }
    return { ...(await this.found(issue)), key };
  }

  private readProject(project: string): Promise<unknown> {
    let read = this.projects.get(project);
    if (!read) {
      read = this.options.send(`read the project ${project}`, () =>
        this.options.api.getProject(project),
      );
      this.projects.set(project, read);
    }
    return read;
  }

  /** What the issue says, as the read of its own key. */
  private async found(issue: JiraLiveIssue): Promise<LiveRead> {
    const change = lastStatusChangeOf(await this.histories(issue));
    return {
      key: issue.key,
      outcome: 'found',
      currentKey: issue.key,
      url: browseUrl(this.options.baseUrl, issue.key),
      status: liveStatusOf(
        issue.fields?.status ?? { name: 'Unknown' },
        issue.fields?.labels ?? [],
      ),
      changedBy: change.by,
      changedAt: change.at,
    };
  }

  /**
   * The changelog entries that tell the issue's last status change: the
   * embedded changelog when it is whole; when Jira capped it, the
   * changelog read by itself from its newest entries back until a status
   * change shows (Cloud pages oldest first; Data Center's issue read has
   * all of it).
   */
  private async histories(issue: JiraLiveIssue): Promise<JiraHistoryJson[]> {
    const embedded = issue.changelog?.histories ?? [];
    const total = issue.changelog?.total ?? embedded.length;
    if (total <= embedded.length) return embedded;
    const read = (startAt: number) =>
      this.options.send(`read the changelog of ${issue.key}`, () =>
        this.options.api.getChangelog(issue.key, startAt),
      );
    let page = await read(Math.max(0, total - CHANGELOG_PAGE_SIZE));
    // Changed since the search: start again from the newest entries.
    if (page.startAt + page.histories.length < page.total) {
      page = await read(Math.max(0, page.total - CHANGELOG_PAGE_SIZE));
    }
    const histories = [...page.histories];
    for (
      let pages = 1;
      pages < MAX_CHANGELOG_PAGES &&
      page.startAt > 0 &&
      page.histories.length > 0 &&
      lastStatusChangeOf(histories).at === null;
      pages++
    ) {
      page = await read(Math.max(0, page.startAt - CHANGELOG_PAGE_SIZE));
      histories.unshift(...page.histories);
    }
    return histories;
  }
}
