import type { FrameField, PgColumn } from '@rapidbyte/sdk';
import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';

/** A query result row in Postgres text format (the shape `pg.query` returns). */
export type TextRow = readonly (string | undefined)[];

/** `$1` = quoted, qualified name -> the relation's oid, or NULL. */
export const RESOLVE_TABLE_SQL = 'SELECT to_regclass($1::text)::oid::int8::text';

/**
 * `$1` = relation oid -> its columns in order: name, type name, encode OID, type category,
 * nullable, enum labels (JSON). Domains resolve to their base type (the host encodes by the base
 * type's binary format, which is also what a domain receives).
 */
export const TABLE_COLUMNS_SQL = `SELECT a.attname::text,
  format_type(b.base_oid, b.base_typmod),
  b.base_oid::int8::text,
  bt.typcategory::text,
  (NOT a.attnotnull AND NOT b.domain_not_null)::text,
  CASE WHEN bt.typtype = 'e' THEN
    (SELECT coalesce(json_agg(e.enumlabel::text ORDER BY e.enumsortorder), '[]'::json)
       FROM pg_enum e WHERE e.enumtypid = b.base_oid)::text
  ELSE '[]' END
FROM pg_attribute a
CROSS JOIN LATERAL (
  WITH RECURSIVE chain(type_oid, typmod, not_null, depth) AS (
    SELECT a.atttypid, a.atttypmod, false, 0
    UNION ALL
    SELECT t.typbasetype, t.typtypmod, c.not_null OR t.typnotnull, c.depth + 1
    FROM chain c JOIN pg_type t ON t.oid = c.type_oid
    WHERE t.typtype = 'd'
  )
  SELECT type_oid AS base_oid, typmod AS base_typmod, not_null AS domain_not_null
  FROM chain ORDER BY depth DESC LIMIT 1
) b
JOIN pg_type bt ON bt.oid = b.base_oid
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

/** `$1` = quoted, qualified type name -> labels of that enum type (JSON), or NULL if it does not exist. */
export const ENUM_LABELS_SQL = `SELECT (SELECT coalesce(json_agg(e.enumlabel::text ORDER BY e.enumsortorder), '[]'::json)
  FROM pg_enum e WHERE e.enumtypid = t.oid)::text
FROM (SELECT to_regtype($1::text) AS oid) t WHERE t.oid IS NOT NULL`;

/** Rows of TABLE_COLUMNS_SQL -> the columns the host encodes COPY BINARY for. */
export function columnsFromRows(rows: readonly TextRow[]): PgColumn[] {
  return rows.map((r) => ({
    name: r[0] ?? '',
    typeName: r[1] ?? 'text',
    typeOid: Number(r[2]),
    typeCategory: r[3] ?? 'U',
    nullable: r[4] === 't' || r[4] === 'true',
    enumLabels: JSON.parse(r[5] ?? '[]') as string[],
  }));
}

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

/** `COPY "s"."t" ("a", "b") FROM STDIN (FORMAT binary)`. */
export function copyInStatement(schema: string, table: string, columns: readonly { readonly name: string }[]): string {
  return `COPY ${quoteQualified(schema, table)} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN (FORMAT binary)`;
}
