import { CloseReason, IssueState } from '../TrackerClient';
import { FieldOperation } from './jiraFieldMapping';

/** A status as Jira answers it; its category says open or closed. */
export interface JiraStatus {
  name: string;
  statusCategory?: { key?: string };
}

/** A transition as `expand=transitions.fields` lists it. */
export interface JiraTransition {
  id: string;
  name: string;
  to: JiraStatus;
  fields?: Record<
    string,
    {
      required?: boolean;
      hasDefaultValue?: boolean;
      name?: string;
      allowedValues?: Array<{ id?: string; name?: string; value?: string }>;
    }
  >;
}

/** Where a tracker wants its issues to go; names of statuses, all optional. */
export interface JiraStatusSettings {
  closedStatus?: string;
  notPlannedStatus?: string;
  reopenedStatus?: string;
}

/** Status and resolution names of Jira's stock workflows, by intent. */
const DEFAULT_NAMES = {
  fixed: ['Done', 'Resolved', 'Fixed', 'Closed'],
  not_planned: ["Won't Do", "Won't Fix", 'Declined', 'Rejected', 'Closed'],
};

const isDone = (status: JiraStatus) => status.statusCategory?.key === 'done';
const isToDo = (status: JiraStatus) => status.statusCategory?.key === 'new';
const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** Whether a status counts as an open or a closed issue. */
export function stateOfStatus(status: JiraStatus): IssueState {
  return isDone(status) ? 'closed' : 'open';
}

/**
 * The transition that brings an issue to what the engine wants, or
 * undefined when the workflow offers none from the current status.
 * Closing: the configured status first (for "not planned" the configured
 * one such as Won't Do, then the closed status), then Jira's stock names,
 * then any status of the Done category. Reopening: the configured status,
 * then any status of the To Do category.
 */
export function chooseTransition(
  transitions: JiraTransition[],
  want: { state: IssueState; closeReason: CloseReason },
  settings: JiraStatusSettings,
): JiraTransition | undefined {
  const byName = (
    names: Array<string | undefined>,
    ok: (s: JiraStatus) => boolean,
  ) => {
    for (const name of names) {
      const found = transitions.find(t => ok(t.to) && same(t.to.name, name));
      if (found) return found;
    }
    return transitions.find(t => ok(t.to));
  };
  if (want.state === 'open') {
    const configured = transitions.find(t =>
      same(t.to.name, settings.reopenedStatus),
    );
    return configured ?? byName([], isToDo);
  }
  const configured =
    want.closeReason === 'not_planned'
      ? [settings.notPlannedStatus, settings.closedStatus]
      : [settings.closedStatus];
  const chosen = configured
    .map(name => transitions.find(t => same(t.to.name, name)))
    .find(Boolean);
  return chosen ?? byName(DEFAULT_NAMES[want.closeReason], isDone);
}

/**
 * The fields a transition's screen requires, from the tracker's field
 * mapping (an entry for that field, preferably one meant for this
 * operation); the resolution, when required and not mapped, by the stock
 * names of the intent. Returns the fields, or the names of required
 * fields that nothing fills.
 */
export function transitionFields(
  transition: JiraTransition,
  context: {
    operation: Extract<FieldOperation, 'close' | 'reopen'>;
    closeReason: CloseReason;
    /** What the tracker's field mapping writes into a field, if anything. */
    mapped: (field: string) => unknown;
  },
): { fields: Record<string, unknown>; missing: string[] } {
  const fields: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [id, field] of Object.entries(transition.fields ?? {})) {
    const mappedValue = context.mapped(id);
    if (mappedValue !== undefined) {
      fields[id] = mappedValue;
      continue;
    }
    if (!field.required || field.hasDefaultValue) continue;
    if (id === 'resolution' && field.allowedValues?.length) {
      const names = DEFAULT_NAMES[context.closeReason];
      const pick =
        names
          .map(name => field.allowedValues!.find(v => same(v.name, name)))
          .find(Boolean) ?? field.allowedValues[0];
      fields.resolution = pick.id ? { id: pick.id } : { name: pick.name };
      continue;
    }
    missing.push(field.name ? `${field.name} (${id})` : id);
  }
  return { fields, missing };
}
