// Connection URLs and SQL quoting for the test harness.

/**
 * postgres:// URL with user and password percent-encoded (so `@:/%` in a password survive).
 * @param {{ host: string, port: number, database: string, user: string, password?: string }} parts
 * @returns {string}
 */
export function pgUrl(parts) {
  const auth =
    encodeURIComponent(parts.user) + (parts.password === undefined ? '' : `:${encodeURIComponent(parts.password)}`);
  return `postgres://${auth}@${parts.host}:${parts.port}/${encodeURIComponent(parts.database)}`;
}

/** @param {string} name @returns {string} a double-quoted SQL identifier */
export function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

/** @param {string} value @returns {string} a single-quoted SQL literal */
export function quoteLiteral(value) {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A table named `schema.table` (split at the first dot, both parts taken verbatim, so
 * `public.TypeZoo` means "public"."TypeZoo"), or `table` alone in `public`.
 * @typedef {string | { schema: string, table: string }} TableRef
 */

/** @param {TableRef} ref @returns {{ schema: string, table: string }} */
export function parseTableRef(ref) {
  if (typeof ref !== 'string') return ref;
  const dot = ref.indexOf('.');
  return dot < 0 ? { schema: 'public', table: ref } : { schema: ref.slice(0, dot), table: ref.slice(dot + 1) };
}

/** @param {TableRef} ref @returns {string} `"schema"."table"` */
export function quoteTable(ref) {
  const { schema, table } = parseTableRef(ref);
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}
