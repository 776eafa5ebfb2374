import type { Catalog, CatalogColumn } from '@rapidbyte/sdk';
import { formatStreamName } from '@rapidbyte/sdk/postgres';

/** A query result row in Postgres text format (the shape `pg.query` returns). */
export type TextRow = readonly (string | undefined)[];

/** `$1` = the quoted, qualified relation name -> one row (oid, relkind) or a NULL oid. */
export const RESOLVE_RELATION_SQL = `SELECT c.oid::int8::text, c.relkind::text
FROM (SELECT to_regclass($1::text) AS oid) r LEFT JOIN pg_class c ON c.oid = r.oid`;

export { RELATION_COLUMNS_SQL, columnsFromRows } from '@rapidbyte/sdk/postgres';

/**
 * `$1` = relation oid -> its generated stored columns, in column order: name, type
 * (`format_type`), expression (`pg_get_expr`), whether it depends on nothing but builtin objects
 * (type, functions, operators, collations: oid below FirstNormalObjectId 16384) and the table's own
 * columns, and the columns it reads (JSON).
 */
export const GENERATED_COLUMNS_SQL = `SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid),
  (a.atttypid < 16384 AND NOT EXISTS (
    SELECT 1 FROM pg_depend p
    WHERE p.classid = 'pg_attrdef'::regclass AND p.objid = d.oid AND p.refobjid >= 16384
      AND NOT (p.refclassid = 'pg_class'::regclass AND p.refobjid = a.attrelid)))::text,
  (SELECT coalesce(json_agg(r.attname::text ORDER BY r.attnum), '[]'::json)
   FROM pg_depend p JOIN pg_attribute r ON r.attrelid = p.refobjid AND r.attnum = p.refobjsubid
   WHERE p.classid = 'pg_attrdef'::regclass AND p.objid = d.oid AND p.refclassid = 'pg_class'::regclass
     AND p.refobjid = a.attrelid AND p.refobjsubid > 0 AND p.refobjsubid <> a.attnum)::text
FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = 's'
ORDER BY a.attnum`;

/** `$1` = relation oid -> primary key column names, in key order. */
export const PRIMARY_KEY_SQL = `SELECT a.attname::text
FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = $1::oid AND i.indisprimary
ORDER BY k.ord`;

/** `$1` = relation oid -> the tables inheriting from it (not partitions), qualified and quoted. */
export const INHERITANCE_CHILDREN_SQL = `SELECT i.inhrelid::regclass::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = $1::oid AND NOT c.relispartition ORDER BY 1`;

/** Relation kinds `discover` lists, by `pg_class.relkind`. */
export const RELATION_KINDS = { r: 'table', p: 'partitioned_table', v: 'view', m: 'materialized_view' } as const;

/**
 * Every table, partitioned table (not its partitions), view and materialized view outside the
 * system schemas -> schema, name, relkind, columns (JSON), primary key (JSON).
 */
export const DISCOVER_SQL = `SELECT n.nspname::text, c.relname::text, c.relkind::text,
  (SELECT coalesce(json_agg(json_build_object(
      'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'nullable', NOT a.attnotnull)
      ORDER BY a.attnum), '[]'::json)
   FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::text,
  (SELECT coalesce(json_agg(a.attname ORDER BY k.ord), '[]'::json)
   FROM pg_index i
   CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
   WHERE i.indrelid = c.oid AND i.indisprimary)::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
ORDER BY n.nspname, c.relname`;

/** Rows of DISCOVER_SQL -> the catalog `discover` returns. */
export function catalogFromRows(rows: readonly TextRow[]): Catalog {
  return {
    streams: rows.map((r) => ({
      name: formatStreamName(r[0] ?? '', r[1] ?? ''),
      kind: RELATION_KINDS[(r[2] ?? 'r') as keyof typeof RELATION_KINDS] ?? 'table',
      columns: JSON.parse(r[3] ?? '[]') as CatalogColumn[],
      primaryKey: JSON.parse(r[4] ?? '[]') as string[],
    })),
  };
}
