import type { FrameField, PgColumn } from '@rapidbyte/sdk';
import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';

/** A query result row in Postgres text format (the shape `pg.query` returns). */
export type TextRow = readonly (string | undefined)[];

/** `$1` = quoted, qualified name -> the relation's oid, or NULL. */
export const RESOLVE_TABLE_SQL = 'SELECT to_regclass($1::text)::oid::int8::text';

/** `$1` = relation oid -> its columns (domains resolved to their base type, which the host encodes by). */
export { RELATION_COLUMNS_SQL as TABLE_COLUMNS_SQL, columnsFromRows } from '@rapidbyte/sdk/postgres';

/** `$1` = quoted, qualified type name -> labels of that enum type (JSON), or NULL if it does not exist. */
export const ENUM_LABELS_SQL = `SELECT (SELECT coalesce(json_agg(e.enumlabel::text ORDER BY e.enumsortorder), '[]'::json)
  FROM pg_enum e WHERE e.enumtypid = t.oid)::text
FROM (SELECT to_regtype($1::text) AS oid) t WHERE t.oid IS NOT NULL`;

export type CopyColumns =
  | { readonly ok: true; readonly columns: PgColumn[] }
  | { readonly ok: false; readonly missing: string };

/**
 * The target columns to COPY into, in frame-field order (the host matches fields by name). Every
 * frame field must exist in the target; target columns the frame lacks get their defaults.
 */
export function copyColumns(fields: readonly Pick<FrameField, 'name'>[], target: readonly PgColumn[]): CopyColumns {
  const byName = new Map(target.map((c) => [c.name, c]));
  const columns: PgColumn[] = [];
  for (const field of fields) {
    const column = byName.get(field.name);
    if (!column) return { ok: false, missing: field.name };
    columns.push(column);
  }
  return { ok: true, columns };
}

/**
 * `COPY "s"."t" ("a", "b") FROM STDIN (FORMAT binary)`. Without columns (a table of zero columns,
 * whose rows are only counted) the list is left out: `()` is a syntax error.
 */
export function copyInStatement(schema: string, table: string, columns: readonly { readonly name: string }[]): string {
  const list = columns.length === 0 ? '' : ` (${columns.map((c) => quoteIdent(c.name)).join(', ')})`;
  return `COPY ${quoteQualified(schema, table)}${list} FROM STDIN (FORMAT binary)`;
}
