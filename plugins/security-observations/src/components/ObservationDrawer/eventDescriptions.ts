import {
  ObservationEvent,
  Severity,
  Status,
} from 'backstage-plugin-security-observations-common';
import { SEVERITY_LABELS } from '../observationFields/severities';
import { humanize, STATUS_LABELS } from '../observationFields/statuses';
import { trackerUser } from '../observationFields/trackerNames';

const EVENT_LABELS: Record<string, string> = {
  created: 'Found by a scan',
  updated: 'Changed by a scan',
  resolved: 'Resolved: not found in the latest scan',
  reopened: 'Reopened: found again',
  assessed: 'Assessed',
  commented: 'Commented',
  expired: 'Risk acceptance expired',
  assessment_requested: 'Assessment requested, awaiting approval',
  assessment_approved: 'Assessment approved',
  assessment_rejected: 'Assessment rejected',
  issue_created: 'Tracker issue created',
  issue_found: 'Tracker issue linked after an interrupted sync',
  issue_recreated: 'Tracker issue recreated: the old one is gone',
  issue_moved: 'Tracker issue moved',
  issue_gone: 'Tracker issue gone',
};

/** What kind of change an audit entry records, in words. */
export function eventLabel(type: string): string {
  return EVENT_LABELS[type] ?? humanize(type);
}

function valueText(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (/status/i.test(field) && typeof value === 'string') {
    return STATUS_LABELS[value as Status] ?? humanize(value);
  }
  if (/severity/i.test(field) && typeof value === 'string') {
    return SEVERITY_LABELS[value as Severity] ?? value;
  }
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Each changed field as "Status: Open → In review". */
export function changeDescriptions(
  changes: ObservationEvent['changes'],
): string[] {
  return Object.entries(changes).map(([field, { from, to }]) => {
    const name = humanize(
      field.replace(/([a-z])([A-Z])/g, '$1 $2').toLocaleLowerCase('en-US'),
    );
    return `${name}: ${valueText(field, from)} → ${valueText(field, to)}`;
  });
}

/**
 * Who did it: a person by their ref; a tracker user by their name on the
 * tracker ("octocat on GitHub"); anyone else with what they are
 * ("ci-scanner (scanner)").
 */
export function actorDescription(
  event: Pick<ObservationEvent, 'actor' | 'actorKind'>,
): string {
  if (event.actorKind === 'user') return event.actor;
  if (event.actorKind === 'tracker') {
    const user = trackerUser(event.actor);
    if (user) return `${user.name} on ${user.tracker}`;
  }
  return `${event.actor} (${event.actorKind})`;
}
