const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

// One formatter for every cell: making one per call costs more than the
// formatting, and a table page has dozens.
const relativeTimeFormat = new Intl.RelativeTimeFormat('en', {
  numeric: 'auto',
});

/** "3 days ago", "in 2 months": the largest whole unit. */
export function formatRelativeTime(iso: string, now = Date.now()): string {
  const seconds = (Date.parse(iso) - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      return relativeTimeFormat.format(Math.round(seconds / size), unit);
    }
  }
  return relativeTimeFormat.format(0, 'second');
}

/**
 * A relative time with the exact time on hover and for assistive tech; on
 * one line, as "3 days ago" reads as one.
 */
export const RelativeTime = ({ value }: { value: string | null }) => {
  if (!value) return <>—</>;
  const exact = new Date(value).toLocaleString();
  return (
    <time dateTime={value} title={exact} style={{ whiteSpace: 'nowrap' }}>
      {formatRelativeTime(value)}
    </time>
  );
};
