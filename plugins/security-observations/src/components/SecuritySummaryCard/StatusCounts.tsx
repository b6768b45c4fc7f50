import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import {
  EntitySummary,
  Status,
  STATUSES,
} from 'backstage-plugin-security-observations-common';
import { Fragment } from 'react';
import { STATUS_LABELS } from '../observationFields/statuses';

/**
 * Counts of every status that has observations; each is a button that
 * filters the table to that status.
 */
export const StatusCounts = ({
  byStatus,
  onSelect,
}: {
  byStatus: EntitySummary['byStatus'];
  onSelect: (status: Status) => void;
}) => {
  const present = STATUSES.filter(status => (byStatus[status] ?? 0) > 0);
  if (present.length === 0) return null;
  return (
    <Typography variant="body2" color="textSecondary" component="p">
      {present.map((status, index) => (
        <Fragment key={status}>
          {index > 0 && ' · '}
          <Link
            component="button"
            variant="body2"
            color="inherit"
            underline="always"
            onClick={() => onSelect(status)}
          >
            {`${STATUS_LABELS[status]}: ${byStatus[status]}`}
          </Link>
        </Fragment>
      ))}
    </Typography>
  );
};
