/** Postgres: admin_shutdown, crash_shutdown, cannot_connect_now. */
const SERVER_GOING_AWAY = new Set(['57P01', '57P02', '57P03']);
/**
 * node-postgres's words. A query sent on a client whose connection already
 * failed (knex's ROLLBACK after the failure, when the socket's error came
 * first) is refused with "... is not queryable", not with the first error.
 */
const CONNECTION_LOST =
  /Connection terminated|Connection ended unexpectedly|encountered a connection error and is not queryable|Client was closed and is not queryable|ECONNRESET|ECONNREFUSED/;

/**
 * The database connection went away under the request (a failover, a
 * restart, a terminated connection) or none could be had in time: the
 * database rolled the request's transaction back, so sending the request
 * again is safe.
 */
export function isDatabaseConnectionLost(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08: connection exceptions.
    if (code.startsWith('08') || SERVER_GOING_AWAY.has(code)) return true;
    if (code === 'ECONNRESET' || code === 'ECONNREFUSED') return true;
  }
  // Knex's pool found no connection in time.
  return (
    error.name === 'KnexTimeoutError' || CONNECTION_LOST.test(error.message)
  );
}
