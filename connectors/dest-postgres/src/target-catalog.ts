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

/**
 * `$1` = relation oid -> name and kind of its columns whose value the database makes itself:
 * `a` an identity `GENERATED ALWAYS` column (COPY writes it, INSERT needs `OVERRIDING SYSTEM
 * VALUE`, UPDATE cannot set it), `s` a stored generated column (never written).
 */
export const GENERATED_COLUMNS_SQL = `SELECT attname::text, CASE WHEN attgenerated <> '' THEN 's' ELSE 'a' END
FROM pg_attribute WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped AND (attidentity = 'a' OR attgenerated <> '')
ORDER BY attnum`;

/** Rows of GENERATED_COLUMNS_SQL. */
export interface GeneratedColumns {
  /** Identity `GENERATED ALWAYS` columns. */
  readonly identityAlways: readonly string[];
  /** Stored generated columns. */
  readonly generated: readonly string[];
}

export function generatedColumnsFromRows(rows: readonly TextRow[]): GeneratedColumns {
  return {
    identityAlways: rows.filter((r) => r[1] === 'a').map((r) => r[0] ?? ''),
    generated: rows.filter((r) => r[1] === 's').map((r) => r[0] ?? ''),
  };
}

export type CopyColumns =
  { readonly ok: true; readonly columns: PgColumn[] } | { readonly ok: false; readonly missing: string };

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
export function copyInStatement(
  schema: string,
  table: string,
  columns: readonly { readonly name: string }[],
  freeze = false,
): string {
  const list = columns.length === 0 ? '' : ` (${columns.map((c) => quoteIdent(c.name)).join(', ')})`;
  return `COPY ${quoteQualified(schema, table)}${list} FROM STDIN (FORMAT binary${freeze ? ', FREEZE' : ''})`;
}
