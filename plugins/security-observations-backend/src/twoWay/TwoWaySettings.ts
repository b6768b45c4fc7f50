import { Config } from '@backstage/config';
import {
  ASSESSABLE_STATUSES,
  Status,
} from 'backstage-plugin-security-observations-common';
import { TrackerKind } from '../sync/trackers/TrackerType';
import { LiveStatus } from './TrackerActivity';

/**
 * One rule of a tracker's status mapping: when the tracker shows the issue
 * like this, the observation gets status `to`. Every given condition must
 * hold; names and labels compare case-insensitively.
 */
export interface StatusMappingRule {
  /** The tracker's status name, e.g. `Won't Do`, `Closed as not planned`. */
  status?: string;
  state?: 'open' | 'closed';
  /** GitHub's state reason, e.g. `not_planned`. */
  reason?: string;
  /** A label the issue carries, e.g. `wontfix`. */
  label?: string;
  to: Status;
}

/** A tracker's two-way settings; null on a tracker without `twoWay: true`. */
export interface TwoWaySettings {
  /**
   * The webhook secret, read when a delivery is checked: a function, so
   * that it never lands in a hash, a log or an error (JSON leaves it out).
   */
  webhookSecret: () => string | undefined;
  pushComments: boolean;
  statusMapping: StatusMappingRule[];
}

/**
 * What the trackers' own words for "won't fix", "false positive" and
 * "reopened" mean, when a tracker configures no `statusMapping`.
 */
export const DEFAULT_STATUS_MAPPINGS: Record<TrackerKind, StatusMappingRule[]> =
  {
    github: [
      { state: 'closed', label: 'false positive', to: 'false_positive' },
      { state: 'closed', reason: 'not_planned', to: 'risk_accepted' },
      { state: 'open', to: 'open' },
    ],
    gitlab: [
      { state: 'closed', label: 'false positive', to: 'false_positive' },
      { state: 'closed', label: 'wontfix', to: 'risk_accepted' },
      { state: 'open', to: 'open' },
    ],
    jira: [
      { status: 'False positive', to: 'false_positive' },
      { status: "Won't Do", to: 'risk_accepted' },
      { state: 'open', to: 'open' },
    ],
  };

/** What an assessment can set, but not_affected, which needs a justification. */
const MAPPABLE_STATUSES: Status[] = ASSESSABLE_STATUSES.filter(
  status => status !== 'not_affected',
);

/** Reads `twoWay`, `webhookSecret`, `pushComments` and `statusMapping` of a tracker entry. */
export function readTwoWaySettings(
  entry: Config,
  kind: TrackerKind,
  at: string,
): TwoWaySettings | null {
  if (!entry.getOptionalBoolean('twoWay')) return null;
  const mapping = entry.getOptionalConfigArray('statusMapping');
  return {
    webhookSecret: () => entry.getOptionalString('webhookSecret') || undefined,
    pushComments: entry.getOptionalBoolean('pushComments') ?? false,
    statusMapping: mapping
      ? mapping.map((rule, index) =>
          readRule(rule, `${at}.statusMapping[${index}]`),
        )
      : DEFAULT_STATUS_MAPPINGS[kind],
  };
}

function readRule(rule: Config, at: string): StatusMappingRule {
  const to = rule.getString('to') as Status;
  if (!MAPPABLE_STATUSES.includes(to)) {
    throw new Error(
      `${at}.to: '${to}' is not a status a tracker can set; use one of ${MAPPABLE_STATUSES.join(
        ', ',
      )} (not_affected needs a VEX justification, which a tracker does not give)`,
    );
  }
  const state = rule.getOptionalString('state');
  if (state !== undefined && state !== 'open' && state !== 'closed') {
    throw new Error(`${at}.state: '${state}' is neither open nor closed`);
  }
  const parsed: StatusMappingRule = {
    to,
    ...(state ? { state } : {}),
    ...optional(rule, 'status'),
    ...optional(rule, 'reason'),
    ...optional(rule, 'label'),
  };
  if (!parsed.status && !parsed.state && !parsed.reason && !parsed.label) {
    throw new Error(
      `${at}: a rule needs at least one of status, state, reason or label`,
    );
  }
  return parsed;
}

function optional(rule: Config, key: 'status' | 'reason' | 'label') {
  const value = rule.getOptionalString(key)?.trim();
  return value ? { [key]: value } : {};
}

/** Case-insensitive, and a typographic apostrophe (Won’t Do) is an apostrophe. */
const same = (a: string, b: string) =>
  a
    .replace(/\u2019/g, "'")
    .localeCompare(b.replace(/\u2019/g, "'"), undefined, {
      sensitivity: 'accent',
    }) === 0;

/** The status the first matching rule gives, or undefined when none matches. */
export function mappedStatus(
  rules: StatusMappingRule[],
  live: LiveStatus,
): Status | undefined {
  return rules.find(
    rule =>
      (!rule.state || rule.state === live.state) &&
      (!rule.status || same(rule.status, live.name)) &&
      (!rule.reason || same(rule.reason, live.reason ?? '')) &&
      (!rule.label || live.labels.some(label => same(label, rule.label!))),
  )?.to;
}
