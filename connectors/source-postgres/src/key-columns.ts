import { quoteIdent } from '@rapidbyte/sdk/postgres';
import type { ValueBinder } from './value-binder.js';

/** A column used to order or identify rows, with the type its text values are cast to. */
export interface KeyColumn {
  readonly name: string;
  /** A Postgres type expression (`format_type` output, or a fixed cast name for cursors). */
  readonly type: string;
}

/**
 * The alias a query gives its relation when it selects key columns as text: `ORDER BY "a"` next
 * to a select list item `"a"::text` would sort by that output column (text order), so such queries
 * order by the qualified `r."a"`.
 */
export const ROW_ALIAS = 'r';

/** `"a", "b"` (or `r."a", r."b"`) — the quoted key columns, for ORDER BY and select lists. */
export function keyList(keys: readonly KeyColumn[], qualifier?: string): string {
  const prefix = qualifier ? `${qualifier}.` : '';
  return keys.map((k) => `${prefix}${quoteIdent(k.name)}`).join(', ');
}

/** `("a", "b")` — the key as a row, for row comparisons. */
export function keyRow(keys: readonly KeyColumn[], qualifier?: string): string {
  return `(${keyList(keys, qualifier)})`;
}

/** `r."a"::text, r."b"::text` — the key in Postgres text output (exact under SESSION_SETTINGS). */
export function keyTextList(keys: readonly KeyColumn[], qualifier?: string): string {
  const prefix = qualifier ? `${qualifier}.` : '';
  return keys.map((k) => `${prefix}${quoteIdent(k.name)}::text`).join(', ');
}

/** `($1::integer, $2::text)` — a tuple of text values cast to the key's types. */
export function keyTuple(binder: ValueBinder, keys: readonly KeyColumn[], values: readonly string[]): string {
  if (values.length !== keys.length) {
    throw new RangeError(`a key tuple needs ${keys.length} values, got ${values.length}`);
  }
  return `(${keys.map((k, i) => binder.bind(values[i] as string, k.type)).join(', ')})`;
}

/**
 * `("a", "b") IN (SELECT (k->>0)::integer, (k->>1)::text FROM jsonb_array_elements($1::jsonb) AS b(k))`:
 * membership in a list of key tuples, passed as ONE JSON value (any number of tuples, one
 * parameter or literal, each element cast to its key type).
 */
export function keyInList(
  binder: ValueBinder,
  keys: readonly KeyColumn[],
  tuples: readonly (readonly string[])[],
): string {
  const json = binder.bind(JSON.stringify(tuples), 'jsonb');
  const elements = keys.map((k, i) => `(b.k->>${i})::${k.type}`).join(', ');
  return `${keyRow(keys)} IN (SELECT ${elements} FROM jsonb_array_elements(${json}) AS b(k))`;
}
