import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import {
  EntityTrend,
  SEVERITIES,
} from 'backstage-plugin-security-observations-common';
import { SeverityChip } from '../observationFields/SeverityChip';

const days = (value: number) =>
  `${value.toLocaleString(undefined, { maximumFractionDigits: 1 })} ${
    value === 1 ? 'day' : 'days'
  }`;

/**
 * Mean days from first seen to resolved, per severity, over the window: one
 * column per severity, so it stays a few lines tall beside the chart.
 */
export const MeanTimeToResolve = ({ trend }: { trend: EntityTrend }) => (
  <Table size="small" aria-label="Mean time to resolve by severity">
    <caption>
      Mean time from first seen to resolved by a scan, for observations resolved
      in the last {trend.days} days.
    </caption>
    <TableHead>
      <TableRow>
        <TableCell component="th" scope="row" style={{ whiteSpace: 'nowrap' }}>
          Severity
        </TableCell>
        {SEVERITIES.map(severity => (
          <TableCell key={severity} align="center">
            <SeverityChip severity={severity} />
          </TableCell>
        ))}
      </TableRow>
    </TableHead>
    <TableBody>
      <TableRow>
        <TableCell component="th" scope="row" style={{ whiteSpace: 'nowrap' }}>
          Mean time to resolve
        </TableCell>
        {SEVERITIES.map(severity => {
          const mean = trend.meanDaysToResolve[severity];
          return (
            <TableCell key={severity} align="center">
              {mean === null || mean === undefined ? '—' : days(mean)}
            </TableCell>
          );
        })}
      </TableRow>
      <TableRow>
        <TableCell component="th" scope="row" style={{ whiteSpace: 'nowrap' }}>
          Resolved
        </TableCell>
        {SEVERITIES.map(severity => (
          <TableCell key={severity} align="center">
            {trend.resolvedBySeverity[severity] ?? 0}
          </TableCell>
        ))}
      </TableRow>
    </TableBody>
  </Table>
);
