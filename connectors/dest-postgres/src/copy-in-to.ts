import { pg, type PgColumn, type Step } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { copyInStatement, RESOLVE_TABLE_SQL } from './target-catalog.js';
import { TEXT_ONLY_TARGET_COLUMNS_SQL, textLoadShim } from './text-load-shim.js';

/**
 * The COPY statement and the columns to encode by for loading `columns` into `schema.table`:
 * the plain `COPY … FROM STDIN (FORMAT binary)`, or, when a column's type has no binary input
 * (the source sends those as text), the same COPY into a text-typed view of the table. `freeze`
 * (only for a table created or truncated in the open transaction) adds `FREEZE` to the plain COPY:
 * its rows are written frozen and the pages all-visible, so nothing rewrites them later to set
 * hint bits or freeze them; the COPY through a view cannot freeze and stays as it is.
 */
export function* copyTarget(
  conn: number,
  schema: string,
  table: string,
  columns: PgColumn[],
  freeze = false,
): Step<{ sql: string; columns: PgColumn[] }> {
  const plain = { sql: copyInStatement(schema, table, columns, freeze), columns };
  if (columns.length === 0) return plain;
  const oid = (yield* pg.query(conn, RESOLVE_TABLE_SQL, [quoteQualified(schema, table)])).rows[0]?.[0];
  if (!oid) return plain;
  const copied = new Set(columns.map((c) => c.name));
  const textOnly = new Map<string, string>();
  for (const r of (yield* pg.query(conn, TEXT_ONLY_TARGET_COLUMNS_SQL, [oid])).rows) {
    if (copied.has(r[0] ?? '')) textOnly.set(r[0] ?? '', r[1] ?? 'text');
  }
  if (textOnly.size === 0) return plain;
  const shim = textLoadShim(schema, table, oid, columns, textOnly);
  for (const sql of shim.setup) yield* pg.query(conn, sql);
  return { sql: shim.copy, columns: shim.columns };
}

/** Opens a COPY FROM loading `columns` into `schema.table` (see `copyTarget`); returns its handle. */
export function* copyInTo(
  conn: number,
  schema: string,
  table: string,
  columns: PgColumn[],
  freeze = false,
): Step<number> {
  const target = yield* copyTarget(conn, schema, table, columns, freeze);
  return yield* pg.copyIn(conn, target.sql, target.columns);
}
