import { Config } from '@backstage/config';
import {
  ANNOTATION_JIRA_COMPONENT,
  ANNOTATION_JIRA_ISSUE_TYPE,
  ANNOTATION_JIRA_PROJECT_KEY,
  SEVERITIES,
  Severity,
} from 'backstage-plugin-security-observations-common';
import { readCaBundle } from '../caBundle';
import { readPacing } from '../readPacing';
import { annotationOf, TrackerConfigBase, TrackerType } from '../TrackerType';
import { JiraApi } from './JiraApi';
import { JiraCloudApi } from './JiraCloudApi';
import { JiraDataCenterApi } from './JiraDataCenterApi';
import { FieldMapping, readFieldMappings } from './jiraFieldMapping';
import {
  JIRA_DEFAULT_PACING,
  JiraPacing,
  JiraTrackerClient,
} from './JiraTrackerClient';
import { JiraTransport } from './JiraTransport';
import { JiraStatusSettings } from './jiraWorkflow';

/** A `type: jira` entry of `securityObservations.trackers`. */
export interface JiraTrackerConfig extends TrackerConfigBase {
  type: 'jira';
  deployment: 'cloud' | 'datacenter';
  baseUrl: string;
  /** Where the entry is, for messages that say which setting to change. */
  configPath: string;
  /** The issue type when the entity's annotation names none (default Bug). */
  issueType: string;
  /** Create a `jira/component` the project lacks (default false). */
  createComponents: boolean;
  priorities: Partial<Record<Severity, string>>;
  statuses: JiraStatusSettings;
  fields: FieldMapping[];
  searchLagMs: number;
  pacing: JiraPacing;
  ca?: string;
  /** The Authorization header, read when the client is made; never kept in the config. */
  authorization: () => string;
}

/**
 * Severity to priority, for Jira's default priority scheme. Unknown gets
 * none, so the project's default applies.
 */
export const DEFAULT_JIRA_PRIORITIES: Partial<Record<Severity, string>> = {
  critical: 'Highest',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  none: 'Lowest',
};

const PROJECT_KEY = /^[A-Z][A-Z0-9_]+$/;
/** Another Jira plugin's spelling of the project key annotation. */
const JIRA_COM_PROJECT_KEY = 'jira.com/project-key';

/**
 * How far Jira Cloud's `search/jql` may lag behind a create: Atlassian
 * calls it eventually consistent. Recovery of an interrupted create waits
 * this long before "not found" counts.
 */
const DEFAULT_SEARCH_LAG_SECONDS = { cloud: 60, datacenter: 5 };

function readPriorities(
  entry: Config,
  at: string,
): Partial<Record<Severity, string>> {
  const config = entry.getOptionalConfig('priorities');
  if (!config) return DEFAULT_JIRA_PRIORITIES;
  const priorities: Partial<Record<Severity, string>> = {};
  for (const key of config.keys()) {
    if (!SEVERITIES.includes(key as Severity)) {
      throw new Error(
        `${at}.priorities.${key}: not a severity (${SEVERITIES.join(', ')})`,
      );
    }
    const name = config.getString(key).trim();
    if (name) priorities[key as Severity] = name;
  }
  return priorities;
}

/** Jira Cloud (email + API token) or Data Center (personal access token). */
export const jiraTrackerType: TrackerType<JiraTrackerConfig> = {
  type: 'jira',
  displayName: 'Jira',
  projectAnnotation: ANNOTATION_JIRA_PROJECT_KEY,

  readConfig(entry, base, { at }) {
    const deployment = entry.getOptionalString('deployment') ?? 'cloud';
    if (deployment !== 'cloud' && deployment !== 'datacenter') {
      throw new Error(
        `${at}.deployment: '${deployment}' is not one of cloud, datacenter`,
      );
    }
    const baseUrl = entry.getString('baseUrl').replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]+/.test(baseUrl)) {
      throw new Error(`${at}.baseUrl: '${baseUrl}' is not an http(s) URL`);
    }
    const email = entry.getOptionalString('email');
    const apiToken = entry.getOptionalString('apiToken');
    const pat = entry.getOptionalString('personalAccessToken');
    const hasCredentials =
      deployment === 'cloud' ? Boolean(email && apiToken) : Boolean(pat);
    const limits = readPacing(entry, at, JIRA_DEFAULT_PACING);
    const ca = readCaBundle(entry, at);
    return {
      ...base,
      credentialsProblem:
        base.credentialsProblem ??
        (hasCredentials
          ? null
          : `the Jira tracker '${base.id}' has no credentials: set ${
              deployment === 'cloud'
                ? 'email and apiToken'
                : 'personalAccessToken'
            } in ${at}`),
      type: 'jira',
      deployment,
      baseUrl,
      configPath: at,
      issueType: entry.getOptionalString('issueType') ?? 'Bug',
      createComponents: entry.getOptionalBoolean('createComponents') ?? false,
      priorities: readPriorities(entry, at),
      statuses: {
        closedStatus: entry.getOptionalString('closedStatus'),
        notPlannedStatus: entry.getOptionalString('notPlannedStatus'),
        reopenedStatus: entry.getOptionalString('reopenedStatus'),
      },
      fields: readFieldMappings(entry, at),
      searchLagMs:
        (entry.getOptionalNumber('searchLagSeconds') ??
          DEFAULT_SEARCH_LAG_SECONDS[deployment]) * 1000,
      pacing: limits,
      ...(ca ? { ca } : {}),
      authorization: () =>
        deployment === 'cloud'
          ? `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`
          : `Bearer ${pat}`,
    };
  },

  projectOf(entity, tracker) {
    const key =
      annotationOf(entity, ANNOTATION_JIRA_PROJECT_KEY) ??
      annotationOf(entity, JIRA_COM_PROJECT_KEY);
    if (!key) return undefined;
    const component = annotationOf(entity, ANNOTATION_JIRA_COMPONENT);
    const options = {
      issueType:
        annotationOf(entity, ANNOTATION_JIRA_ISSUE_TYPE) ?? tracker.issueType,
      ...(component ? { component } : {}),
    };
    return PROJECT_KEY.test(key)
      ? { target: key, options }
      : {
          target: key,
          options,
          problem: `${ANNOTATION_JIRA_PROJECT_KEY} is '${key}'; expected a Jira project key such as PAY`,
        };
  },

  webUrl(tracker, target) {
    return tracker.deployment === 'cloud'
      ? `${tracker.baseUrl}/jira/software/projects/${target}/issues`
      : `${tracker.baseUrl}/projects/${target}/issues`;
  },

  createClient(tracker, deps) {
    const transport = new JiraTransport({
      baseUrl: tracker.baseUrl,
      authorization: tracker.authorization(),
      ca: tracker.ca,
      requestTimeoutMs: deps.timing.requestTimeoutMs ?? 30_000,
      onSchemaMismatch: deps.strictResponses ? 'throw' : 'warn',
      warn: message => deps.logger.warn(message),
    });
    const api: JiraApi =
      tracker.deployment === 'cloud'
        ? new JiraCloudApi(transport)
        : new JiraDataCenterApi(transport);
    return new JiraTrackerClient({
      trackerId: tracker.id,
      configPath: tracker.configPath,
      api,
      baseUrl: tracker.baseUrl,
      createComponents: tracker.createComponents,
      priorities: tracker.priorities,
      statuses: tracker.statuses,
      fields: tracker.fields,
      searchLagMs: tracker.searchLagMs / (deps.timing.windowScale ?? 1),
      pacing: tracker.pacing,
      clock: deps.clock,
      recentCreations: deps.recentCreations,
      requestTimeoutMs: deps.timing.requestTimeoutMs,
      retryBaseMs: deps.timing.retryBaseMs,
      windowScale: deps.timing.windowScale,
    });
  },
};
