// Assertions and probes on the tables a run loaded: equality (EXCEPT ALL both ways), counts,
// duplicate keys and column lists, each one query as the superuser of the test database.
import { expect } from 'vitest';
import { compareTables, withClient } from './table-compare.mjs';
import type { TableRef } from './pg-url.mjs';

/** A database the test can reach: a TestDatabase, or anything else with a superuser URL. */
export interface HasUrl {
  readonly url: string;
}

export interface TablesEqualOptions {
  /** Both tables must hold exactly this many rows; without it, the same number as each other. */
  readonly rows?: number;
  /** Columns to compare (default: every column of the source table). */
  readonly columns?: string[];
  /** json compared by exact text (default) or, with false, by its jsonb normal form. */
  readonly castJsonToText?: boolean;
  /** Prefix of every assertion message, e.g. which run of the test this is. */
  readonly what?: string;
}

function tableName(ref: TableRef): string {
  return typeof ref === 'string' ? ref : `${ref.schema}.${ref.table}`;
}

/**
 * Asserts that two tables hold the same rows (as multisets of text values; the differing rows are
 * shown on failure) and the expected number of them.
 */
export async function expectTablesEqual(
  src: HasUrl,
  srcTable: TableRef,
  dst: HasUrl,
  dstTable: TableRef,
  options: TablesEqualOptions = {},
): Promise<void> {
  const diff = await compareTables(src.url, srcTable, dst.url, dstTable, {
    columns: options.columns,
    castJsonToText: options.castJsonToText,
  });
  const label = options.what ? `${options.what}: ` : '';
  expect(diff.onlyInSource, `${label}rows only in source ${tableName(srcTable)}`).toEqual([]);
  expect(diff.onlyInDestination, `${label}rows only in destination ${tableName(dstTable)}`).toEqual([]);
  if (options.rows === undefined)
    expect(diff.destinationRows, `${label}rows in destination vs source`).toBe(diff.sourceRows);
  else
    expect([diff.sourceRows, diff.destinationRows], `${label}rows in source and destination`).toEqual([
      options.rows,
      options.rows,
    ]);
}

/** `SELECT count(*) FROM <table> [WHERE <where>]`; `table` and `where` are SQL text. */
export async function rowCount(db: HasUrl, table: string, where?: string): Promise<number> {
  const sql = `SELECT count(*)::int AS n FROM ${table}${where ? ` WHERE ${where}` : ''}`;
  const r = await withClient(db.url, (c) => c.query<{ n: number }>(sql));
  return Number(r.rows[0]?.n);
}

/** Values of `id` stored more than once in `table` (at most 20, with their counts); [] when none. */
export async function duplicateKeys(db: HasUrl, table: string): Promise<unknown[]> {
  const sql = `SELECT id::text AS id, count(*)::int AS n FROM ${table} GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 20`;
  return (await withClient(db.url, (c) => c.query(sql))).rows;
}

/** Column names of `table` (a regclass text such as `public.items`) in their order. */
export async function columnNames(db: HasUrl, table: string): Promise<string[]> {
  const r = await withClient(db.url, (c) =>
    c.query<{ name: string }>(
      `SELECT attname::text AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [table],
    ),
  );
  return r.rows.map((row) => row.name);
}

/** `format_type` of each column of `table` (a regclass text) in column order. */
export async function columnTypes(db: HasUrl, table: string): Promise<string[]> {
  const r = await withClient(db.url, (c) =>
    c.query<{ t: string }>(
      `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [table],
    ),
  );
  return r.rows.map((row) => row.t);
}
