import { Entity } from '@backstage/catalog-model';
import { TableColumn } from '@backstage/core-components';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import { Observation } from 'backstage-plugin-security-observations-common';
import { ObservationLocation } from '../observationFields/ObservationLocation';
import { RelativeTime } from '../observationFields/RelativeTime';
import { SeverityChip } from '../observationFields/SeverityChip';
import { SEVERITY_LABELS } from '../observationFields/severities';
import { STATUS_LABELS } from '../observationFields/statuses';
import { TrackerIssue } from '../observationFields/TrackerIssue';
import { tableSort } from './observationSort';

// The backend sorts; the table must keep the order it got.
const keepServerOrder = () => 0;

/** Column ids: the API's sort field where the column sorts. */
export type ObservationColumnId =
  | 'severity'
  | 'title'
  | 'location'
  | 'scanner'
  | 'branch'
  | 'status'
  | 'firstSeenAt'
  | 'lastSeenAt'
  | 'tracker';

/**
 * Hidden until a person shows them with the column chooser, so that a row
 * reads on one or two lines at 1440 pixels: the title (with the rule or
 * CVE) says the scanner, and most entities scan one branch.
 */
export const DEFAULT_HIDDEN_COLUMNS: readonly ObservationColumnId[] = [
  'scanner',
  'branch',
  'lastSeenAt',
];

/**
 * Widths in pixels, padding included; the title takes the rest, at least
 * `TITLE_MIN_WIDTH`.
 */
const WIDTHS: Record<Exclude<ObservationColumnId, 'title'>, number> = {
  severity: 96,
  location: 200,
  scanner: 100,
  branch: 120,
  status: 120,
  // "30 minutes ago" and the cell's padding (36 pixels).
  firstSeenAt: 150,
  lastSeenAt: 150,
  // An issue key and its live status on one line.
  tracker: 210,
};
const TITLE_MIN_WIDTH = 320;
/** The selection column's checkbox (see the table's styles). */
export const SELECTION_COLUMN_WIDTH = 56;

/**
 * The narrowest the table may get with these columns shown: below it, it
 * scrolls sideways rather than squeezing the titles.
 */
export function minTableWidth(
  isHidden: (column: ObservationColumnId) => boolean,
) {
  return (
    SELECTION_COLUMN_WIDTH +
    TITLE_MIN_WIDTH +
    Object.entries(WIDTHS)
      .filter(([column]) => !isHidden(column as ObservationColumnId))
      .reduce((sum, [, width]) => sum + width, 0)
  );
}

/** One line, cut with an ellipsis; the whole text in the cell's tooltip. */
const oneLine = {
  display: 'block',
  maxWidth: '100%',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  whiteSpace: 'nowrap',
} as const;
const oneLineCell = {
  whiteSpace: 'nowrap',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
} as const;

/**
 * The table's columns, each hidden as `isHidden` says. Sortable ones are
 * named by the API's sort fields, so a header click maps to a `sort`
 * parameter.
 */
export function observationColumns(options: {
  entity: Entity;
  sort: string;
  onOpen: (observation: Observation) => void;
  isHidden: (column: ObservationColumnId) => boolean;
}): TableColumn<Observation>[] {
  const { entity, sort, onOpen, isHidden } = options;
  const current = tableSort(sort);
  const column = (id: ObservationColumnId) => ({
    field: id,
    hidden: isHidden(id),
    ...(id === 'title' ? {} : { width: `${WIDTHS[id]}px` }),
  });
  const sortable = (id: ObservationColumnId) => ({
    ...column(id),
    sorting: true,
    customSort: keepServerOrder,
    ...(current.field === id ? { defaultSort: current.direction } : {}),
  });
  const unsortable = (id: ObservationColumnId) => ({
    ...column(id),
    sorting: false,
  });

  return [
    {
      title: 'Severity',
      ...sortable('severity'),
      render: observation => (
        <>
          <SeverityChip severity={observation.severity} />
          {observation.assessedSeverity && (
            <Typography variant="caption" color="textSecondary" display="block">
              scanner: {SEVERITY_LABELS[observation.parserSeverity]}
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Title',
      ...sortable('title'),
      // What the row is about: always shown.
      removable: false,
      render: observation => (
        <>
          {/* A button, so keyboard users can open the details too. */}
          <Link
            component="button"
            variant="body2"
            align="left"
            title={observation.title}
            style={oneLine}
            onClick={event => {
              event.stopPropagation();
              onOpen(observation);
            }}
          >
            {observation.title}
          </Link>
          {(observation.ruleId || observation.vulnerabilityIds.length > 0) && (
            <Typography variant="caption" color="textSecondary" style={oneLine}>
              {observation.vulnerabilityIds.join(', ') || observation.ruleId}
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Location',
      ...unsortable('location'),
      render: observation => (
        <ObservationLocation entity={entity} observation={observation} />
      ),
    },
    {
      title: 'Scanner',
      ...sortable('scanner'),
      cellStyle: oneLineCell,
    },
    {
      title: 'Branch',
      ...sortable('branch'),
      cellStyle: oneLineCell,
    },
    {
      title: 'Status',
      ...sortable('status'),
      cellStyle: oneLineCell,
      render: observation => (
        <>
          {STATUS_LABELS[observation.status]}
          {observation.riskAcceptanceExpiresAt && (
            <Typography variant="caption" color="textSecondary" display="block">
              until{' '}
              {new Date(
                observation.riskAcceptanceExpiresAt,
              ).toLocaleDateString()}
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'First seen',
      ...sortable('firstSeenAt'),
      cellStyle: oneLineCell,
      render: observation => <RelativeTime value={observation.firstSeenAt} />,
    },
    {
      title: 'Last seen',
      ...sortable('lastSeenAt'),
      cellStyle: oneLineCell,
      render: observation => <RelativeTime value={observation.lastSeenAt} />,
    },
    {
      title: 'Tracker issue',
      ...unsortable('tracker'),
      // The key and the live status ellipsize (whole text in tooltips); the
      // sync state wraps rather than spilling past the table's edge.
      cellStyle: { overflowWrap: 'anywhere' },
      render: observation => <TrackerIssue tracker={observation.tracker} />,
    },
  ];
}
