// Prints `NAME=VALUE` for the TestDatabases connection-string variable of the
// Postgres that answers at the given URL (its major version is in the name,
// e.g. BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING), or nothing when
// no Postgres answers. Used by scripts/test; never fails.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const url = process.argv[2];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'packages/backend/package.json'));
const { Client } = require('pg');

const client = new Client({
  connectionString: url,
  connectionTimeoutMillis: 3000,
});
try {
  await client.connect();
  const { rows } = await client.query('show server_version_num');
  const major = Math.floor(Number(rows[0].server_version_num) / 10000);
  console.log(
    `BACKSTAGE_TEST_DATABASE_POSTGRES${major}_CONNECTION_STRING=${url}`,
  );
} catch {
  // No Postgres here: the tests run on SQLite alone.
} finally {
  await client.end().catch(() => {});
}
