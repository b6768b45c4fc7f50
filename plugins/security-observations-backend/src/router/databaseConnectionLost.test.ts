import { isDatabaseConnectionLost } from './databaseConnectionLost';

const withCode = (message: string, code: string) =>
  Object.assign(new Error(message), { code });

describe('isDatabaseConnectionLost', () => {
  it.each([
    [
      'an operator terminated the backend',
      withCode('terminating connection due to administrator command', '57P01'),
    ],
    [
      'a connection exception (SQLSTATE class 08)',
      withCode('connection failure', '08006'),
    ],
    ['the socket was reset', withCode('read ECONNRESET', 'ECONNRESET')],
    [
      'the server went away mid-query',
      new Error('Connection terminated unexpectedly'),
    ],
    [
      "knex's ROLLBACK after the socket failed",
      new Error('ROLLBACK - Connection terminated unexpectedly'),
    ],
    [
      "knex's ROLLBACK on a client that already saw the socket fail",
      new Error(
        'ROLLBACK - Client has encountered a connection error and is not queryable',
      ),
    ],
    [
      'a query on a closed client',
      new Error('Client was closed and is not queryable'),
    ],
    [
      'no connection from the pool in time',
      Object.assign(new Error('Knex: Timeout acquiring a connection'), {
        name: 'KnexTimeoutError',
      }),
    ],
  ])('is true when %s', (_what, error) => {
    expect(isDatabaseConnectionLost(error)).toBe(true);
  });

  it.each([
    [
      'a unique violation',
      withCode('duplicate key value violates unique constraint', '23505'),
    ],
    ['a syntax error', withCode('syntax error at or near "FROM"', '42601')],
    [
      'a bug of the plugin',
      new TypeError("Cannot read properties of undefined (reading 'id')"),
    ],
    ['not an error', 'Connection terminated'],
  ])('is false for %s', (_what, error) => {
    expect(isDatabaseConnectionLost(error)).toBe(false);
  });
});
