import { Knex } from 'knex';

/** Column of a derived table read from a JSON parameter, with its SQL type. */
export type JsonColumn = [name: string, type: 'text' | 'integer' | 'timestamp'];

/**
 * A derived table `u` over a JSON array of row objects, passed as ONE bound
 * parameter: `json_to_recordset` on Postgres, `json_each` on SQLite. Bulk
 * inserts and updates then take one statement for any number of rows, which
 * is what keeps a 100k-finding import within seconds (Knex's batchInsert of
 * 1000-row chunks is about three times slower on Postgres).
 */
export function jsonRowsTable(
  db: Knex,
  columns: JsonColumn[],
  rows: Record<string, unknown>[],
): Knex.Raw {
  const json = JSON.stringify(rows);
  if (isPostgres(db)) {
    const definition = columns
      .map(
        ([name, type]) =>
          `${name} ${type === 'timestamp' ? 'timestamptz' : type}`,
      )
      .join(', ');
    return db.raw(`json_to_recordset(?::json) AS u(${definition})`, [json]);
  }
  const projection = columns
    .map(([name]) => `json_extract(value, '$.${name}') AS ${name}`)
    .join(', ');
  return db.raw(`(SELECT ${projection} FROM json_each(?)) AS u`, [json]);
}

/**
 * `column IN (<values>)` with the values as one parameter, for any number of
 * them (SQLite allows at most 32766 bound parameters). On Postgres it is a
 * text array, `= ANY($1::text[])`: the planner turns that into an index scan,
 * where `IN (SELECT json_array_elements_text(...))` could end up comparing
 * every row with every value (seconds for 5,000 values in a fresh table).
 */
export function whereInJsonValues(
  db: Knex,
  column: string,
  values: string[],
): Knex.Raw {
  return isPostgres(db)
    ? db.raw(`?? = ANY(?::text[])`, [column, values])
    : db.raw(`?? IN (SELECT value FROM json_each(?))`, [
        column,
        JSON.stringify(values),
      ]);
}

export function isPostgres(db: Knex): boolean {
  return db.client.config.client === 'pg';
}
