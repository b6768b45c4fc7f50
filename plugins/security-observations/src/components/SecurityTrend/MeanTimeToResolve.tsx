import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { makeStyles } from '@material-ui/core/styles';
import {
  EntityTrend,
  SEVERITIES,
} from 'backstage-plugin-security-observations-common';
import { SeverityChip } from '../observationFields/SeverityChip';

const useStyles = makeStyles(theme => ({
  // Seven columns share the card's width beside the summary (about 600
  // pixels at 1440): small gaps, and the row names may take two lines.
  cell: {
    padding: theme.spacing(0.75, 1),
    whiteSpace: 'nowrap',
  },
  rowName: {
    padding: theme.spacing(0.75, 1, 0.75, 0),
    minWidth: '6em',
    whiteSpace: 'normal',
  },
}));

const days = (value: number) =>
  `${value.toLocaleString(undefined, { maximumFractionDigits: 1 })} ${
    value === 1 ? 'day' : 'days'
  }`;

/**
 * Mean days from first seen to resolved, per severity, over the window: one
 * column per severity, so it stays a few lines tall beside the chart. Too
 * narrow a card scrolls it sideways rather than cut a severity off.
 */
export const MeanTimeToResolve = ({ trend }: { trend: EntityTrend }) => {
  const classes = useStyles();
  const rowName = (name: string) => (
    <TableCell component="th" scope="row" className={classes.rowName}>
      {name}
    </TableCell>
  );
  return (
    <Box overflow="auto">
      <Table size="small" aria-label="Mean time to resolve by severity">
        <caption>
          Mean time from first seen to resolved by a scan, for observations
          resolved in the last {trend.days} days.
        </caption>
        <TableHead>
          <TableRow>
            {rowName('Severity')}
            {SEVERITIES.map(severity => (
              <TableCell key={severity} align="center" className={classes.cell}>
                <SeverityChip severity={severity} />
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          <TableRow>
            {rowName('Mean time to resolve')}
            {SEVERITIES.map(severity => {
              const mean = trend.meanDaysToResolve[severity];
              return (
                <TableCell
                  key={severity}
                  align="center"
                  className={classes.cell}
                >
                  {mean === null || mean === undefined ? '—' : days(mean)}
                </TableCell>
              );
            })}
          </TableRow>
          <TableRow>
            {rowName('Resolved')}
            {SEVERITIES.map(severity => (
              <TableCell key={severity} align="center" className={classes.cell}>
                {trend.resolvedBySeverity[severity] ?? 0}
              </TableCell>
            ))}
          </TableRow>
        </TableBody>
      </Table>
    </Box>
  );
};
