import type { PgColumn } from '../guest/wit-types.js';

/** A query result row in Postgres text format (the shape `pg.query` returns). */
export type TextRow = readonly (string | undefined)[];

/**
 * `$1` = relation oid -> its columns in order: name, type name, decode OID, type category,
 * nullable, enum labels (JSON). A domain is resolved to its base type (through domains over
 * domains): the type name is `format_type` of the base type with the domain's typmod, so the
 * destination creates a plain base-typed column, and the OID is the base type's, which the host
 * decodes and encodes by. A domain's NOT NULL makes the column not nullable. Enum labels are
 * those of an enum column's type, or of an enum array column's element type (the destination
 * recreates the enum for both).
 */
export const RELATION_COLUMNS_SQL = `SELECT a.attname::text,
  format_type(b.base_oid, b.base_typmod),
  b.base_oid::int8::text,
  bt.typcategory::text,
  (NOT a.attnotnull AND NOT b.domain_not_null)::text,
  CASE WHEN bt.typtype = 'e' OR et.typtype = 'e' THEN
    (SELECT coalesce(json_agg(e.enumlabel::text ORDER BY e.enumsortorder), '[]'::json)
       FROM pg_enum e WHERE e.enumtypid = CASE WHEN bt.typtype = 'e' THEN b.base_oid ELSE et.oid END)::text
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
LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

/** Rows of RELATION_COLUMNS_SQL -> the columns the host decodes or encodes COPY BINARY with. */
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
