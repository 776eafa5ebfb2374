import { copyOutStatement } from './copy-out-statement.js';
import { ROW_ALIAS, keyList, keyRow, keyTextList, keyTuple, type KeyColumn } from './key-columns.js';
import { readRelationSql, type ReadRelation } from './stream-relation-sql.js';
import { inlineBinder, paramBinder, type ValueBinder } from './value-binder.js';

/** A statement with its parameters, for `pg.query(conn, sql, params)`. */
export interface BoundQuery {
  readonly sql: string;
  readonly params: readonly string[];
}

/**
 * Full refresh by key ranges: the upper key of the chunk that follows `after` (undefined: from
 * the start) and holds `rows` rows —
 * `SELECT r."a"::text, r."b"::text FROM t AS r [WHERE (r."a", r."b") > ($1::integer, $2::text)] ORDER BY r."a", r."b" OFFSET $3::bigint LIMIT 1`
 * (qualified, so the ORDER BY sorts by the typed columns, not the text output columns).
 * `limit` (a shard's inclusive upper bound) adds `AND (r."a", r."b") <= (…)`.
 * No row back means fewer rows are left: the last chunk, up to `limit` (or without an upper bound).
 */
export function keyChunkUpperQuery(
  relation: ReadRelation,
  keys: readonly KeyColumn[],
  after: readonly string[] | undefined,
  rows: number,
  limit?: readonly string[],
): BoundQuery {
  const binder = paramBinder();
  const r = ROW_ALIAS;
  const conditions: string[] = [];
  if (after) conditions.push(`${keyRow(keys, r)} > ${keyTuple(binder, keys, after)}`);
  if (limit) conditions.push(`${keyRow(keys, r)} <= ${keyTuple(binder, keys, limit)}`);
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  const offset = binder.bind(String(rows - 1), 'bigint');
  return {
    sql: `SELECT ${keyTextList(keys, r)} FROM ${readRelationSql(relation)} AS ${r}${where} ORDER BY ${keyList(keys, r)} OFFSET ${offset} LIMIT 1`,
    params: binder.params,
  };
}

/** The predicate `(key) > after AND (key) <= upper` (either side may be open). */
export function keyRangePredicate(
  binder: ValueBinder,
  keys: readonly KeyColumn[],
  after: readonly string[] | undefined,
  upper: readonly string[] | undefined,
): string | undefined {
  const parts: string[] = [];
  if (after) parts.push(`${keyRow(keys)} > ${keyTuple(binder, keys, after)}`);
  if (upper) parts.push(`${keyRow(keys)} <= ${keyTuple(binder, keys, upper)}`);
  return parts.length > 0 ? parts.join(' AND ') : undefined;
}

/**
 * The COPY of one key-range chunk, in key order:
 * `COPY (SELECT cols FROM t WHERE ("a") > ('1'::integer) AND ("a") <= ('500'::integer) ORDER BY "a") TO STDOUT (FORMAT binary)`.
 */
export function keyChunkCopyStatement(
  relation: ReadRelation,
  columns: readonly { readonly name: string }[],
  keys: readonly KeyColumn[],
  after: readonly string[] | undefined,
  upper: readonly string[] | undefined,
): string {
  return copyOutStatement(relation, columns, {
    where: keyRangePredicate(inlineBinder(), keys, after, upper),
    orderBy: keyList(keys),
  });
}
