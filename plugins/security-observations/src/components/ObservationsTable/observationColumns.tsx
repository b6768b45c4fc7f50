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

/**
 * The table's columns. Sortable ones are named by the API's sort fields, so
 * a header click maps to a `sort` parameter.
 */
export function observationColumns(options: {
  entity: Entity;
  sort: string;
  onOpen: (observation: Observation) => void;
}): TableColumn<Observation>[] {
  const { entity, sort, onOpen } = options;
  const current = tableSort(sort);
  const sortable = (field: string) => ({
    field,
    sorting: true,
    customSort: keepServerOrder,
    ...(current.field === field ? { defaultSort: current.direction } : {}),
  });

  return [
    {
      title: 'Severity',
      ...sortable('severity'),
      width: '115px',
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
      // 28% leaves the tracker column room for its live status chip.
      width: '28%',
      render: observation => (
        <>
          {/* A button, so keyboard users can open the details too. */}
          <Link
            component="button"
            variant="body2"
            align="left"
            onClick={event => {
              event.stopPropagation();
              onOpen(observation);
            }}
          >
            {observation.title}
          </Link>
          {(observation.ruleId || observation.vulnerabilityIds.length > 0) && (
            <Typography variant="caption" color="textSecondary" display="block">
              {observation.vulnerabilityIds.join(', ') || observation.ruleId}
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Location',
      sorting: false,
      width: '20%',
      cellStyle: { overflowWrap: 'anywhere' },
      render: observation => (
        <ObservationLocation entity={entity} observation={observation} />
      ),
    },
    { title: 'Scanner', ...sortable('scanner'), width: '90px' },
    { title: 'Branch', ...sortable('branch'), width: '90px' },
    {
      title: 'Status',
      ...sortable('status'),
      width: '100px',
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
      width: '110px',
      render: observation => <RelativeTime value={observation.firstSeenAt} />,
    },
    {
      title: 'Last seen',
      ...sortable('lastSeenAt'),
      width: '110px',
      render: observation => <RelativeTime value={observation.lastSeenAt} />,
    },
    {
      title: 'Tracker issue',
      sorting: false,
      width: '130px',
      // The key and the live status ellipsize (whole text in tooltips); the
      // sync state wraps rather than spilling past the table's edge.
      cellStyle: { overflowWrap: 'anywhere' },
      render: observation => <TrackerIssue tracker={observation.tracker} />,
    },
  ];
}
