import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';

/**
 * A fresh Postgres database for one benchmark process, on the server of
 * `SECURITY_OBSERVATIONS_BENCH_POSTGRES_URL` (default: the local one), and
 * how to drop it again.
 */
export async function createBenchDatabase(
  prefix: string,
  pool?: Knex.PoolConfig,
): Promise<{ knex: Knex; drop(): Promise<void> }> {
  const serverUrl =
    process.env.SECURITY_OBSERVATIONS_BENCH_POSTGRES_URL ??
    'postgresql://postgres@127.0.0.1:5432';
  const database = `${prefix}_${process.pid}`;
  const admin = knexFactory({
    client: 'pg',
    connection: `${serverUrl}/postgres`,
  });
  await admin.raw(`CREATE DATABASE ${database}`);
  const knex = knexFactory({
    client: 'pg',
    connection: `${serverUrl}/${database}`,
    ...(pool ? { pool } : {}),
  });
  return {
    knex,
    async drop() {
      await knex.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${database}`);
      await admin.destroy();
    },
  };
}

/**
 * A fresh SQLite database in a file of a temporary folder, as an SQLite
 * install that keeps its data would use, and how to delete it again.
 */
export function createBenchSqliteDatabase(prefix: string): {
  knex: Knex;
  drop(): Promise<void>;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, `${prefix}.sqlite`) },
    useNullAsDefault: true,
  });
  return {
    knex,
    async drop() {
      await knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
