/**
 * Timestamps are written as ISO-8601 UTC strings. Postgres hands them back as
 * Date objects, SQLite as the string written; both become ISO strings here.
 */
export function toIsoString(value: unknown): string {
  if (value instanceof Date) {
    return value.toISOString();
  }
  return new Date(value as string | number).toISOString();
}

export function toIsoStringOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : toIsoString(value);
}
