import { Severity } from 'backstage-plugin-security-observations-common';
import { TrackerClientTiming } from '../TrackerType';
import { answerReason } from '../answerReason';
import { goneOrOutOfReach } from '../issueGone';
import { commentMarker, labelMarker } from '../issueMarker';
import { PacedRequests } from '../PacedRequests';
import { retryDelayMs } from '../requestPolicy';
import { TrackerUser } from '../../../twoWay/TrackerActivity';
import {
  CreatedIssue,
  DesiredIssue,
  IssueTarget,
  LiveRead,
  LiveReadRequest,
  MarkerLookup,
  PushedComment,
  TrackerClient,
  UpdatedIssue,
} from '../TrackerClient';
import { kindOfStatus, TrackerError, TrackerErrorKind } from '../TrackerError';
import { JiraApi, JiraField, JiraIssueState } from './JiraApi';
import { FieldMapping, mappedFields } from './jiraFieldMapping';
import { JiraIssueReads } from './JiraIssueReads';
import { browseUrl, trackerUserOf } from './jiraLiveIssue';
import { entityLabel, jiraSafeLabel } from './jiraLabels';
import { JiraHttpError } from './JiraTransport';
import {
  chooseTransition,
  JiraStatusSettings,
  stateOfStatus,
  transitionFields,
} from './jiraWorkflow';

/** Pacing for Jira, which publishes no numbers for API-token traffic. */
export interface JiraPacing {
  createsPerMinute: number;
  requestsPerMinute: number;
}

/**
 * What the pacing assumes: Jira Cloud enforces burst limits per second
 * (per endpoint and method, token buckets) and a per-issue write limit,
 * and publishes no numbers for API-token traffic. 5 creates and 10
 * requests a second, spread evenly (a minute's allowance is paced per
 * second), stay inside what Atlassian's rate-limiting guidance describes
 * for integrations. Data Center has no limits unless an admin sets some.
 * Both are configurable.
 */
export const JIRA_DEFAULT_PACING: JiraPacing = {
  createsPerMinute: 300,
  requestsPerMinute: 600,
};

/** Jira refuses descriptions over 32,767 characters. */
export const JIRA_DESCRIPTION_LIMIT = 32_767;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** How long a project check holds. */
const TARGET_CHECK_TTL_MS = 10 * 60_000;

export interface JiraTrackerOptions extends TrackerClientTiming {
  trackerId: string;
  /** Where the tracker's settings are, for messages: `securityObservations.trackers[2]`. */
  configPath: string;
  api: JiraApi;
  baseUrl: string;
  createComponents: boolean;
  /** Priority names by severity; a severity without one gets the project's default. */
  priorities: Partial<Record<Severity, string>>;
  statuses: JiraStatusSettings;
  fields: FieldMapping[];
  /** How far `search/jql` may lag behind a create. */
  searchLagMs: number;
  pacing: JiraPacing;
}

/**
 * Jira issues, Cloud or Data Center (the `JiraApi` says which): one issue
 * type, priority, component and mapped fields per create; closing and
 * reopening through the workflow's transitions; the observation's marker
 * in a label, which JQL finds.
 */
export class JiraTrackerClient implements TrackerClient {
  readonly descriptionLimit: number;
  private readonly requests: PacedRequests;
  private readonly targetChecks = new Map<
    string,
    { at: number; problem: Promise<string | null> }
  >();
  private fieldNames?: Promise<JiraField[]>;
  private me?: Promise<TrackerUser | null>;

  constructor(private readonly options: JiraTrackerOptions) {
    // ADF and wiki markup grow the text; `describe` cuts further if needed.
    this.descriptionLimit = JIRA_DESCRIPTION_LIMIT - 2_000;
    // Jira's limits are bursts per second: a minute's allowance, spread
    // over its seconds.
    const second = 1000 / (options.windowScale ?? 1);
    const evenly = (perMinute: number) => [
      { limit: perMinute, windowMs: 60 * second },
      { limit: Math.max(1, Math.floor(perMinute / 60)), windowMs: second },
    ];
    this.requests = new PacedRequests({
      createWindows: evenly(options.pacing.createsPerMinute),
      requestWindows: evenly(options.pacing.requestsPerMinute),
      clock: options.clock,
      recentCreations: options.recentCreations,
      retryBaseMs: options.retryBaseMs ?? 1000,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      toError: (error, what, request) =>
        this.trackerError(error, what, request.idempotent),
    });
  }

  pushedExtras(issue: DesiredIssue): string {
    return JSON.stringify(this.mapped(issue, 'update'));
  }

  createDelayMs(): number {
    return this.requests.createDelayMs();
  }

  seedCreations(times: number[]): void {
    this.requests.seedCreations(times);
  }

  checkTarget(target: IssueTarget): Promise<string | null> {
    const cacheKey = JSON.stringify(target);
    const now = this.options.clock.now();
    const cached = this.targetChecks.get(cacheKey);
    if (cached && now - cached.at < TARGET_CHECK_TTL_MS) return cached.problem;
    const problem = this.problemOfTarget(target);
    this.targetChecks.set(cacheKey, { at: now, problem });
    // A failed check (Jira down) is not a verdict: ask again next time.
    problem.catch(() => this.targetChecks.delete(cacheKey));
    return problem;
  }

  async create(
    target: IssueTarget,
    issue: DesiredIssue,
    beforeSend: () => Promise<void>,
  ): Promise<CreatedIssue> {
    const { options } = this;
    const priority = options.priorities[issue.observation.severity];
    const fields: Record<string, unknown> = {
      project: { key: target.project },
      issuetype: { name: target.options.issueType },
      summary: issue.title,
      description: this.describe(issue),
      labels: this.labelsOf(issue),
      ...(priority ? { priority: { name: priority } } : {}),
      ...(target.options.component
        ? { components: [{ name: target.options.component }] }
        : {}),
      ...this.mapped(issue, 'create'),
    };
    const requestedAt = await this.requests.createSlot(beforeSend);
    const created = await this.requests.send(
      `create an issue in ${target.project}`,
      // Sent again after a limit answer: the intent says when.
      { idempotent: false, paced: true, beforeResend: beforeSend },
      () => options.api.createIssue(fields),
    );
    return {
      key: created.key,
      url: this.urlOf(created.key),
      state: 'open',
      requestedAt: new Date(requestedAt),
    };
  }

  async update(key: string, issue: DesiredIssue): Promise<UpdatedIssue> {
    const edit = () =>
      this.write(key, `update ${key}`, () =>
        this.options.api.editIssue(key, {
          fields: {
            summary: issue.title,
            description: this.describe(issue),
            ...this.mapped(issue, 'update'),
          },
        }),
      );
    let written: JiraIssueState;
    try {
      written = await edit();
    } catch (error) {
      const locked = await this.lockedInDone(key, error);
      if (!locked) throw error;
      // Closed, and its status forbids edits (`jira.issue.editable =
      // false`, usual on Done): one that should stay closed is left as
      // it is; one to reopen is moved out first, then written.
      if (issue.state === 'closed') return this.answer(locked, issue.state);
      const problem = await this.bringToState(locked, issue);
      if (problem) return this.answer(locked, 'closed', problem);
      written = await edit();
      return this.answer(written, stateOfStatus(written.status));
    }
    const problem = await this.bringToState(written, issue);
    return this.answer(
      written,
      problem ? stateOfStatus(written.status) : issue.state,
      problem,
    );
  }

  private answer(
    issue: JiraIssueState,
    state: UpdatedIssue['state'],
    problem?: string,
  ): UpdatedIssue {
    return {
      key: issue.key,
      url: this.urlOf(issue.key),
      state,
      ...(problem ? { problem } : {}),
    };
  }

  /**
   * After an edit Jira refused (400, 403): the issue, when it is in a
   * status of the Done category, where workflows often forbid edits.
   */
  private async lockedInDone(
    key: string,
    error: unknown,
  ): Promise<JiraIssueState | undefined> {
    if (
      !(error instanceof TrackerError) ||
      (error.kind !== 'invalid' && error.kind !== 'forbidden')
    ) {
      return undefined;
    }
    const current = await this.requests.send(
      `read ${key}`,
      { idempotent: true },
      () => this.options.api.getIssueState(key),
    );
    return stateOfStatus(current.status) === 'closed' ? current : undefined;
  }

  async addLabels(key: string, labels: string[]): Promise<void> {
    try {
      await this.write(key, `add labels to ${key}`, () =>
        this.options.api.addLabels(key, labels.map(jiraSafeLabel)),
      );
    } catch (error) {
      // A closed issue whose status forbids edits keeps the labels it has.
      if (!(await this.lockedInDone(key, error))) throw error;
    }
  }

  async findByMarker(
    target: IssueTarget,
    observationId: string,
    requestedAt: Date,
  ): Promise<MarkerLookup> {
    const jql = `project = "${target.project}" AND labels = "${labelMarker(
      observationId,
    )}" ORDER BY created DESC`;
    const [found] = await this.requests.send(
      `search the issues of ${target.project}`,
      { idempotent: true },
      () => this.options.api.searchIssues(jql, 5),
    );
    if (found) {
      return {
        found: {
          key: found.key,
          url: this.urlOf(found.key),
          state: stateOfStatus(found.status),
        },
      };
    }
    // The search index lags behind writes: "not found" means something
    // only once the lag has passed since the create could have been
    // committed, which is as late as the request's timeout.
    const notBefore =
      requestedAt.getTime() +
      (this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) +
      this.options.searchLagMs;
    return notBefore > this.options.clock.now()
      ? { found: null, notBefore: new Date(notBefore) }
      : { found: null };
  }

  whoAmI(): Promise<TrackerUser | null> {
    if (!this.me) {
      const me = this.requests
        .send('read the API user', { idempotent: true }, () =>
          this.options.api.myself(),
        )
        .then(trackerUserOf);
      // A failed read (Jira down) is no answer: ask again next time.
      me.catch(() => {
        if (this.me === me) this.me = undefined;
      });
      this.me = me;
    }
    return this.me;
  }

  readIssues(requests: LiveReadRequest[]): Promise<LiveRead[]> {
    return new JiraIssueReads({
      api: this.options.api,
      baseUrl: this.options.baseUrl,
      send: (what, call) =>
        this.requests.send(what, { idempotent: true }, call),
    }).read(requests);
  }

  /**
   * The comment in the deployment's format, with the marker as its last
   * line: Jira shows every line, so the marker goes where it is seen least.
   */
  async addComment(
    key: string,
    body: string,
    commentId: string,
  ): Promise<PushedComment> {
    const { id } = await this.write(
      key,
      `comment on ${key}`,
      () => this.options.api.addComment(key, body, commentMarker(commentId)),
      // Sent twice after a timeout, a comment would show twice.
      { idempotent: false },
    );
    return { id, url: browseUrl(this.options.baseUrl, key, id) };
  }

  /** The description in the deployment's format, cut until Jira takes it. */
  private describe(issue: DesiredIssue): unknown {
    let rendered = this.options.api.renderDescription(issue.body);
    let limit = issue.body.length;
    while (rendered.size > JIRA_DESCRIPTION_LIMIT && limit > 1_000) {
      limit =
        Math.floor((limit * JIRA_DESCRIPTION_LIMIT) / rendered.size) - 500;
      rendered = this.options.api.renderDescription(issue.bodyWithin(limit));
    }
    return rendered.value;
  }

  /** The route's labels made Jira-safe, the entity's label and the marker. */
  private labelsOf(issue: DesiredIssue): string[] {
    return [
      ...new Set([
        ...issue.labels.map(jiraSafeLabel),
        entityLabel(issue.observation.entityRef),
        labelMarker(issue.observationId),
      ]),
    ];
  }

  private mapped(
    issue: DesiredIssue,
    operation: 'create' | 'update' | 'close' | 'reopen',
  ) {
    return mappedFields(this.options.fields, operation, {
      observation: issue.observation,
      observationUrl: issue.observationUrl,
      deployment: this.options.api.deployment,
    });
  }

  /**
   * Transitions the issue when its status category is not what the engine
   * wants. When the workflow offers no way there (or its screen asks for a
   * field nothing fills), the issue gets one comment that says so and the
   * problem is returned; the engine shows it and does not retry until the
   * observation changes again.
   */
  private async bringToState(
    issue: JiraIssueState,
    desired: DesiredIssue,
  ): Promise<string | undefined> {
    if (stateOfStatus(issue.status) === desired.state) return undefined;
    const operation = desired.state === 'closed' ? 'close' : 'reopen';
    const transition = chooseTransition(
      issue.transitions ?? [],
      desired,
      this.options.statuses,
    );
    const verb = operation === 'close' ? 'close' : 'reopen';
    let problem: string | undefined;
    if (!transition) {
      problem = `Jira's workflow offers no transition from '${
        issue.status.name
      }' ${
        operation === 'close'
          ? 'into a status of the Done category'
          : 'into a status of the To Do category'
      }${this.statusHint(operation)}`;
    } else {
      const mappedNow = this.mapped(desired, operation);
      const mappedAny = this.mapped(desired, 'create');
      const { fields, missing } = transitionFields(transition, {
        operation,
        closeReason: desired.closeReason,
        mapped: field => mappedNow[field] ?? mappedAny[field],
      });
      if (missing.length > 0) {
        problem = `Jira's transition '${
          transition.name
        }' asks for ${missing.join(', ')}, which ${
          this.options.configPath
        }.fields does not map`;
      } else {
        await this.transition(issue.key, transition.id, fields, desired, verb);
        return undefined;
      }
    }
    await this.requests.send(
      `comment on ${issue.key}`,
      { idempotent: false },
      () =>
        this.options.api.addComment(
          issue.key,
          `Security Observations for Backstage could not ${verb} this issue: ${problem}. ` +
            `Please ${verb} it by hand. [The observation on the Security tab](${desired.observationUrl})`,
        ),
    );
    return `could not ${verb} ${issue.key}: ${problem}`;
  }

  /**
   * Sends a transition. One retried after a timeout may find it done
   * already: Jira then refuses the transition from the new status, which
   * is no failure when the issue is where it should be.
   */
  private async transition(
    key: string,
    transitionId: string,
    fields: Record<string, unknown>,
    desired: DesiredIssue,
    verb: string,
  ): Promise<void> {
    try {
      await this.requests.send(`${verb} ${key}`, { idempotent: true }, () =>
        this.options.api.transitionIssue(key, transitionId, fields),
      );
    } catch (error) {
      if (!(error instanceof TrackerError) || error.kind !== 'invalid') {
        throw error;
      }
      const current = await this.requests.send(
        `read ${key}`,
        { idempotent: true },
        () => this.options.api.getIssueState(key),
      );
      if (stateOfStatus(current.status) !== desired.state) throw error;
    }
  }

  private statusHint(operation: 'close' | 'reopen'): string {
    const setting = operation === 'close' ? 'closedStatus' : 'reopenedStatus';
    return ` (set ${this.options.configPath}.${setting} to a status it can reach)`;
  }

  /** Why new issues cannot go to the target; null when they can. */
  private async problemOfTarget(target: IssueTarget): Promise<string | null> {
    const { api } = this.options;
    let project;
    try {
      project = await this.requests.send(
        `read the project ${target.project}`,
        { idempotent: true },
        () => api.getProject(target.project),
      );
    } catch (error) {
      if (error instanceof TrackerError && error.kind === 'not_found') {
        return `jira/project-key is '${target.project}', but Jira at ${this.options.baseUrl} has no such project, or the credentials cannot see it`;
      }
      throw error;
    }
    const issueType = target.options.issueType;
    const types = project.issueTypes.filter(type => !type.subtask);
    if (!types.some(type => sameName(type.name, issueType))) {
      return `the issue type '${issueType}' does not exist in the Jira project ${
        target.project
      } (it has ${
        types.map(type => type.name).join(', ') || 'none'
      }); set security-observations/jira-issue-type or the tracker's issueType`;
    }
    const component = target.options.component;
    if (
      component &&
      !project.components.some(c => sameName(c.name, component))
    ) {
      if (!this.options.createComponents) {
        return `jira/component is '${component}', but the Jira project ${target.project} has no such component; create it, or set createComponents: true on the tracker`;
      }
      try {
        await this.requests.send(
          `create the component ${component}`,
          { idempotent: false },
          () => api.createComponent(target.project, component),
        );
      } catch (error) {
        if (error instanceof TrackerError && error.kind === 'forbidden') {
          return `jira/component is '${component}', which the Jira project ${target.project} lacks, and the credentials may not create components there`;
        }
        throw error;
      }
    }
    return null;
  }

  /** A write to an existing issue: a 404 is gone, or out of reach (`goneOrOutOfReach`). */
  private async write<T>(
    key: string,
    what: string,
    send: () => Promise<T>,
    request: { idempotent: boolean } = { idempotent: true },
  ): Promise<T> {
    try {
      return await this.requests.send(what, request, send);
    } catch (error) {
      if (!(error instanceof TrackerError) || error.details.status !== 404) {
        throw error;
      }
      const project = key.replace(/-\d+$/, '');
      throw await goneOrOutOfReach({
        notFound: error,
        readProject: () =>
          this.requests.send(
            `read the project ${project}`,
            { idempotent: true },
            () => this.options.api.getProject(project),
          ),
        gone: `Jira could not ${what}: the issue is gone (404)`,
        outOfReach: new TrackerError(
          'not_found',
          `Jira could not ${what}: 404 the project ${project} does not exist or the credentials cannot see it`,
          error.details,
        ),
      });
    }
  }

  private urlOf(key: string): string {
    return browseUrl(this.options.baseUrl, key);
  }

  private async trackerError(
    error: unknown,
    what: string,
    idempotent: boolean,
  ): Promise<TrackerError> {
    if (error instanceof TrackerError) return error;
    const said = `Jira could not ${what}`;
    if (!(error instanceof JiraHttpError)) {
      const failure = error as { name?: string; message?: string };
      return new TrackerError(
        'unavailable',
        failure.name === 'TimeoutError' || failure.name === 'AbortError'
          ? `${said}: no answer in time`
          : `${said}: ${(failure.message ?? String(error)).slice(0, 300)}`,
      );
    }
    const { status } = error;
    const unitMs = this.options.retryBaseMs ?? 1000;
    const retryAfterMs = retryDelayMs(
      error.headers,
      this.options.clock.now(),
      unitMs,
    );
    // A 503 that asks to come back later refused the request, like a 429;
    // only for an idempotent one is that certain.
    if (status === 429 || (status === 503 && retryAfterMs && idempotent)) {
      return new TrackerError(
        'rate_limited',
        `${said}: rate limited (${status})`,
        {
          status,
          retryAfterMs: retryAfterMs ?? 60 * unitMs,
        },
      );
    }
    const kind = kindOfStatus(status);
    if (kind === 'invalid') {
      return new TrackerError(
        'invalid',
        `${said}: ${await this.describeRefusal(error)}`,
        { status },
      );
    }
    const hint: Partial<Record<TrackerErrorKind, string>> = {
      unauthorized: 'the credentials were rejected',
      forbidden: 'the credentials may not do this there',
      not_found: 'not found, or the credentials cannot see it',
    };
    return new TrackerError(
      kind,
      `${said}: ${status} ${hint[kind] ?? answerReason(status, error.said)}`,
      { status, retryAfterMs },
    );
  }

  /**
   * A 400, with each refused field named the way Jira's screens name it:
   * `customfield_10010 (CVE): CVE is required.`, plus where to map it.
   */
  private async describeRefusal(error: JiraHttpError): Promise<string> {
    const problems = Object.entries(error.body.errors ?? {});
    let names = new Map<string, string>();
    if (problems.some(([field]) => field.startsWith('customfield_'))) {
      this.fieldNames ??= this.options.api.getFields();
      this.fieldNames.catch(() => (this.fieldNames = undefined));
      names = new Map(
        (await this.fieldNames.catch(() => [])).map(f => [f.id, f.name]),
      );
    }
    const fields = problems.map(([field, message]) => {
      const name = names.get(field);
      return `${field}${name ? ` (${name})` : ''}: ${message}`;
    });
    const said = [...(error.body.errorMessages ?? []), ...fields].join('; ');
    return `400 ${said || 'the request was refused'}${
      fields.length > 0
        ? ` (fields come from ${this.options.configPath}.fields and the entity's annotations)`
        : ''
    }`;
  }
}

function sameName(a: string, b: string | undefined): boolean {
  return b !== undefined && a.toLowerCase() === b.toLowerCase();
}
