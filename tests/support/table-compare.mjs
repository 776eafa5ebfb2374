// Compares a source table with a destination table in another database, value by value as text.
import pg from 'pg';
import { quoteIdent, quoteTable } from './pg-url.mjs';

/** Session settings that make text output identical on both sides whatever the server defaults. */
const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3';
const REPORT_LIMIT = 50;

/** A table or column asked for does not exist. */
export class TableCompareError extends Error {
  /** @param {string} message @param {{ table: string, column?: string }} data */
  constructor(message, data) {
    super(message);
    this.name = 'TableCompareError';
    this.table = data.table;
    this.column = data.column;
  }
}

/**
 * @typedef {Record<string, string | null>} TextRow a row, every value as PostgreSQL text output
 * @typedef {object} TableDiff
 * @property {boolean} equal same multiset of rows on both sides
 * @property {number} sourceRows
 * @property {number} destinationRows
 * @property {number} onlyInSourceCount rows (with multiplicity) in source but not destination
 * @property {number} onlyInDestinationCount
 * @property {TextRow[]} onlyInSource the first 50 of them
 * @property {TextRow[]} onlyInDestination the first 50 of them
 */

/** @template T @param {string} url @param {(client: pg.Client) => Promise<T>} fn @returns {Promise<T>} */
export async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url, options: SESSION_OPTIONS });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** @param {pg.Client} client @param {import('./pg-url.mjs').TableRef} ref @returns {Promise<Map<string, string>>} column -> type */
async function columnTypes(client, ref) {
  const { rows } = await client.query(
    `SELECT a.attname, format_type(a.atttypid, NULL) AS type FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [quoteTable(ref)],
  );
  if (rows.length === 0) throw new TableCompareError(`table ${quoteTable(ref)} not found`, { table: quoteTable(ref) });
  return new Map(rows.map((r) => [r.attname, r.type]));
}

/** @param {string} column @param {string} type @param {boolean} castJsonToText */
function textExpr(column, type, castJsonToText) {
  return !castJsonToText && type === 'json' ? `${quoteIdent(column)}::jsonb::text` : `${quoteIdent(column)}::text`;
}

/**
 * @param {pg.Client} client @param {import('./pg-url.mjs').TableRef} ref @param {string[]} columns
 * @param {boolean} castJsonToText
 * @returns {Promise<(string | null)[][]>}
 */
async function fetchText(client, ref, columns, castJsonToText) {
  const types = await columnTypes(client, ref);
  for (const c of columns) {
    if (!types.has(c))
      throw new TableCompareError(`column ${c} missing in ${quoteTable(ref)}`, { table: quoteTable(ref), column: c });
  }
  const list = columns.map((c) => textExpr(c, /** @type {string} */ (types.get(c)), castJsonToText)).join(', ');
  const { rows } = await client.query({ text: `SELECT ${list || 'NULL'} FROM ${quoteTable(ref)}`, rowMode: 'array' });
  return rows;
}

/**
 * Source and destination as multisets of text rows; reports rows found on only one side
 * (the EXCEPT ALL both ways, computed in JS because the tables live in different databases).
 * @param {string} srcUrl
 * @param {import('./pg-url.mjs').TableRef} srcTable
 * @param {string} dstUrl
 * @param {import('./pg-url.mjs').TableRef} dstTable
 * @param {{ columns?: string[], castJsonToText?: boolean }} [options] columns: default all source
 *   columns (extra destination columns are ignored); castJsonToText (default true): json compared as
 *   its exact stored text; false compares json by its jsonb normal form
 * @returns {Promise<TableDiff>}
 */
export async function compareTables(srcUrl, srcTable, dstUrl, dstTable, options = {}) {
  const castJsonToText = options.castJsonToText ?? true;
  const columns = options.columns ?? [...(await withClient(srcUrl, (c) => columnTypes(c, srcTable))).keys()];
  const [src, dst] = await Promise.all([
    withClient(srcUrl, (c) => fetchText(c, srcTable, columns, castJsonToText)),
    withClient(dstUrl, (c) => fetchText(c, dstTable, columns, castJsonToText)),
  ]);
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const row of src) {
    const key = JSON.stringify(row);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  /** @type {(string | null)[][]} */
  const onlyDst = [];
  for (const row of dst) {
    const key = JSON.stringify(row);
    const n = counts.get(key) ?? 0;
    if (n > 0) counts.set(key, n - 1);
    else onlyDst.push(row);
  }
  /** @type {(string | null)[][]} */
  const onlySrc = [];
  for (const [key, n] of counts) for (let i = 0; i < n; i++) onlySrc.push(JSON.parse(key));
  /** @param {(string | null)[]} row @returns {TextRow} */
  const named = (row) => Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null]));
  return {
    equal: onlySrc.length === 0 && onlyDst.length === 0,
    sourceRows: src.length,
    destinationRows: dst.length,
    onlyInSourceCount: onlySrc.length,
    onlyInDestinationCount: onlyDst.length,
    onlyInSource: onlySrc.slice(0, REPORT_LIMIT).map(named),
    onlyInDestination: onlyDst.slice(0, REPORT_LIMIT).map(named),
  };
}

/**
 * Row count and md5 of all rows' text joined in `orderBy` order, computed in SQL (for big tables;
 * compare the digests of source and destination).
 * @param {string} url
 * @param {import('./pg-url.mjs').TableRef} table
 * @param {string | string[]} orderBy column name(s), quoted here
 * @param {{ columns?: string[] }} [options] default: every column of the table
 * @returns {Promise<{ rows: number, md5: string }>}
 */
export async function tableDigest(url, table, orderBy, options = {}) {
  const order = (Array.isArray(orderBy) ? orderBy : [orderBy]).map(quoteIdent).join(', ');
  return withClient(url, async (client) => {
    const columns = options.columns ?? [...(await columnTypes(client, table)).keys()];
    const rowText = `row(${columns.map((c) => `t.${quoteIdent(c)}`).join(', ')})::text`;
    const { rows } = await client.query(
      `SELECT count(*)::int8::text AS rows, md5(coalesce(string_agg(${rowText}, E'\\n' ORDER BY ${order}), '')) AS md5
         FROM ${quoteTable(table)} t`,
    );
    return { rows: Number(rows[0].rows), md5: rows[0].md5 };
  });
}
