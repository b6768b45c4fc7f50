import {
  EntityTrend,
  SEVERITIES,
} from 'backstage-plugin-security-observations-common';
import {
  Area,
  AreaChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  SEVERITY_COLORS,
  SEVERITY_LABELS,
} from '../observationFields/severities';
import { visuallyHidden } from '../visuallyHidden';
import { CHART_HEIGHT } from './chartHeight';

// The axis formats every day of the window: one formatter for all.
const shortDateFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});
const shortDate = (date: string) =>
  shortDateFormat.format(new Date(`${date}T00:00:00Z`));

/** The newest day's counts, in words: the chart's text alternative. */
function describeLatest(trend: EntityTrend): string {
  const latest = trend.points[trend.points.length - 1];
  if (!latest) return 'No data for the period.';
  const counts = SEVERITIES.filter(
    severity => (latest.activeBySeverity[severity] ?? 0) > 0,
  ).map(
    severity =>
      `${latest.activeBySeverity[severity]} ${SEVERITY_LABELS[
        severity
      ].toLocaleLowerCase('en-US')}`,
  );
  return `On ${shortDate(latest.date)}: ${
    counts.length ? counts.join(', ') : 'no active observations'
  }.`;
}

/**
 * Active observations per day, stacked by severity, most severe at the
 * bottom. Legend and tooltip name each severity, so colour is never the
 * only cue.
 */
export const SeverityTrendChart = ({ trend }: { trend: EntityTrend }) => {
  const rows = trend.points.map(point => ({
    date: point.date,
    ...point.activeBySeverity,
  }));
  return (
    <figure style={{ margin: 0 }}>
      <figcaption>
        <span style={visuallyHidden}>
          Active observations per day by severity over the last {trend.days}{' '}
          days. {describeLatest(trend)}
        </span>
      </figcaption>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <AreaChart data={rows} margin={{ top: 8, right: 16, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="date" tickFormatter={shortDate} minTickGap={24} />
          <YAxis allowDecimals={false} />
          <Tooltip labelFormatter={label => shortDate(String(label))} />
          <Legend />
          {SEVERITIES.map(severity => (
            <Area
              key={severity}
              type="monotone"
              dataKey={severity}
              name={SEVERITY_LABELS[severity]}
              stackId="active"
              stroke={SEVERITY_COLORS[severity].background}
              fill={SEVERITY_COLORS[severity].background}
              fillOpacity={0.85}
              isAnimationActive={false}
            />
          ))}
        </AreaChart>
      </ResponsiveContainer>
    </figure>
  );
};
