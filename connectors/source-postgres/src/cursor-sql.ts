import { quoteIdent } from '@rapidbyte/sdk/postgres';
import { copyOutStatement } from './copy-out-statement.js';
import { ROW_ALIAS, keyInList, keyList, keyTextList, type KeyColumn } from './key-columns.js';
import type { BoundQuery } from './key-range-sql.js';
import { readRelationSql, type ReadRelation } from './stream-relation-sql.js';
import { inlineBinder, paramBinder, type ValueBinder } from './value-binder.js';
import { sentinelPredicate } from './cursor-sentinel.js';

/** What an incremental read orders and identifies rows by. */
export interface CursorRead {
  readonly relation: ReadRelation;
  /** The cursor column; `type` is its cast type (cursor-type.ts). */
  readonly cursor: KeyColumn;
  /** The primary key (may be empty): the tie-breaker in ORDER BY and the boundary keys. */
  readonly key: readonly KeyColumn[];
  /** `on_null_cursor: include`: rows whose cursor is NULL are read with the sentinel rows, every run. */
  readonly nulls?: boolean;
}

/**
 * The predicate "the cursor cannot be checkpointed": a sentinel value (cursor-sentinel.ts) or, when
 * NULL cursors are read (`nulls`), NULL. Such rows are read after the ordered chunks, every run.
 * Undefined when the cursor type has no sentinel and NULLs are not read.
 */
export function unorderedPredicate(read: CursorRead, alias?: string): string | undefined {
  const sentinel = sentinelPredicate(read.cursor.name, read.cursor.type, alias);
  if (!read.nulls) return sentinel;
  const isNull = `${alias ? `${alias}.` : ''}${quoteIdent(read.cursor.name)} IS NULL`;
  return sentinel ? `(${sentinel} OR ${isNull})` : isNull;
}

/** `SELECT count(*)` of the rows whose cursor is NULL (what `on_null_cursor` is about). */
export function nullCursorCountSql(read: CursorRead): string {
  return `SELECT count(*)::text FROM ${readRelationSql(read.relation)} WHERE ${quoteIdent(read.cursor.name)} IS NULL`;
}

/**
 * The lower bound of a chunk:
 * - `all`: the first read of the stream — every row with a non-NULL cursor;
 * - `from`: resuming — `cursor >= value` (minus `lookback`, an interval, for time cursors);
 * - `after`: the chunk after one that ended at `value` (same snapshot, so no tie is lost) —
 *   `cursor > value`.
 * `exclude` leaves out rows already delivered at the boundary (`append`):
 * `(cursor = value AND (key) IN (...)) IS NOT TRUE`.
 */
export type CursorLow =
  | { readonly kind: 'all' }
  | { readonly kind: 'from'; readonly value: string; readonly lookback?: string; readonly exclude?: BoundaryKeys }
  | { readonly kind: 'after'; readonly value: string };

/** Key tuples (Postgres text, key order) delivered with cursor = `value`. */
export interface BoundaryKeys {
  readonly value: string;
  readonly keys: readonly (readonly string[])[];
}

/** The predicate of a lower bound (never empty: NULL cursors are never read). */
export function cursorLowPredicate(binder: ValueBinder, read: CursorRead, low: CursorLow): string {
  const cursor = quoteIdent(read.cursor.name);
  if (low.kind === 'all') return `${cursor} IS NOT NULL`;
  if (low.kind === 'after') return `${cursor} > ${binder.bind(low.value, read.cursor.type)}`;
  const from = binder.bind(low.value, read.cursor.type);
  let predicate = low.lookback
    ? `${cursor} >= ${from} - ${binder.bind(low.lookback, 'interval')}`
    : `${cursor} >= ${from}`;
  if (low.exclude && low.exclude.keys.length > 0 && read.key.length > 0) {
    const at = binder.bind(low.exclude.value, read.cursor.type);
    predicate += ` AND (${cursor} = ${at} AND ${keyInList(binder, read.key, low.exclude.keys)}) IS NOT TRUE`;
  }
  return predicate;
}

/**
 * The cursor value that closes the next chunk: the greatest of the first `rows` cursor values
 * above the lower bound (fewer left: the greatest left; none: no row back) —
 * `SELECT s.v::text FROM (SELECT "c" AS v FROM t WHERE <low> ORDER BY "c" LIMIT $n::bigint) AS s ORDER BY s.v DESC LIMIT 1`.
 * Sentinel values (`infinity`, numeric `NaN`) are left out, so a chunk's bound — the cursor a
 * checkpoint stores — is always finite and the chunk's COPY (`<= bound`) skips them too; they are
 * read by {@link sentinelCopyStatement} (cursor-sentinel.ts says why).
 */
export function cursorChunkUpperQuery(read: CursorRead, low: CursorLow, rows: number): BoundQuery {
  const binder = paramBinder();
  const cursor = quoteIdent(read.cursor.name);
  const sentinel = unorderedPredicate(read);
  const where = cursorLowPredicate(binder, read, low) + (sentinel ? ` AND NOT ${sentinel}` : '');
  const limit = binder.bind(String(rows), 'bigint');
  return {
    sql:
      `SELECT s.v::text FROM (SELECT ${cursor} AS v FROM ${readRelationSql(read.relation)} ` +
      `WHERE ${where} ORDER BY ${cursor} LIMIT ${limit}) AS s ORDER BY s.v DESC LIMIT 1`,
    params: binder.params,
  };
}

/**
 * The COPY of one chunk: `<low> AND cursor <= upper` (every tie of `upper` included, so a chunk
 * may hold more than `rows` rows), ordered by cursor, then key.
 */
export function cursorChunkCopyStatement(
  read: CursorRead,
  columns: readonly { readonly name: string }[],
  low: CursorLow,
  upper: string,
): string {
  const binder = inlineBinder();
  const cursor = quoteIdent(read.cursor.name);
  const where = `${cursorLowPredicate(binder, read, low)} AND ${cursor} <= ${binder.bind(upper, read.cursor.type)}`;
  const orderBy = read.key.length > 0 ? `${cursor}, ${keyList(read.key)}` : cursor;
  return copyOutStatement(read.relation, columns, { where, orderBy });
}

/** Key tuples of the rows at cursor = `value`: `SELECT r."a"::text, ... FROM t AS r WHERE r."c" = $1::type ORDER BY r."a", ...`. */
export function boundaryKeysQuery(read: CursorRead, value: string): BoundQuery {
  const binder = paramBinder();
  const r = ROW_ALIAS;
  const where = `${r}.${quoteIdent(read.cursor.name)} = ${binder.bind(value, read.cursor.type)}`;
  return {
    sql: `SELECT ${keyTextList(read.key, r)} FROM ${readRelationSql(read.relation)} AS ${r} WHERE ${where} ORDER BY ${keyList(read.key, r)}`,
    params: binder.params,
  };
}

/**
 * The sentinel values present and their row counts (value as text, count as text), for the
 * warning — undefined when the cursor type has no sentinel.
 */
export function sentinelCountsSql(read: CursorRead): string | undefined {
  const sentinel = unorderedPredicate(read);
  if (!sentinel) return undefined;
  const cursor = quoteIdent(read.cursor.name);
  return `SELECT ${cursor}::text, count(*)::text FROM ${readRelationSql(read.relation)} WHERE ${sentinel} GROUP BY ${cursor} ORDER BY ${cursor}`;
}

/**
 * The COPY of the rows whose cursor is a sentinel, ordered by cursor, then key, leaving out the
 * key tuples `delivered` before (`append`); undefined for types without sentinels.
 */
export function sentinelCopyStatement(
  read: CursorRead,
  columns: readonly { readonly name: string }[],
  delivered: readonly (readonly string[])[] = [],
): string | undefined {
  const sentinel = unorderedPredicate(read);
  if (!sentinel) return undefined;
  const cursor = quoteIdent(read.cursor.name);
  const orderBy = read.key.length > 0 ? `${cursor}, ${keyList(read.key)}` : cursor;
  const where =
    delivered.length > 0 && read.key.length > 0
      ? `${sentinel} AND (${keyInList(inlineBinder(), read.key, delivered)}) IS NOT TRUE`
      : sentinel;
  return copyOutStatement(read.relation, columns, { where, orderBy });
}

/** Key tuples (as text, key order) of every row whose cursor is a sentinel, in key order. */
export function sentinelKeysQuery(read: CursorRead): string | undefined {
  const r = ROW_ALIAS;
  const sentinel = unorderedPredicate(read, r);
  if (!sentinel || read.key.length === 0) return undefined;
  return `SELECT ${keyTextList(read.key, r)} FROM ${readRelationSql(read.relation)} AS ${r} WHERE ${sentinel} ORDER BY ${keyList(read.key, r)}`;
}

/** Checks a lookback before use: `SELECT $1::interval >= interval '0'` (an invalid one raises 22007). */
export const LOOKBACK_CHECK_SQL = `SELECT ($1::interval >= interval '0')::text`;
