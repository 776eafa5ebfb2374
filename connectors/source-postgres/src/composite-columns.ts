import type { PgColumn } from '@rapidbyte/sdk';
import { COMPOSITE_COLUMNS_METADATA } from '@rapidbyte/sdk/frames';

/** A standalone composite type (`CREATE TYPE … AS (…)`) as the source defines it. */
export interface CompositeType {
  /** The type's unqualified name. */
  readonly type: string;
  /** `[name, format_type]` of its attributes, in order. */
  readonly attributes: readonly (readonly [string, string])[];
}

/**
 * `$1` = relation oid -> name, composite type name and attributes (JSON) of its columns whose type,
 * or whose array's element type, is a standalone composite type (a table's row type is left out:
 * the destination cannot recreate a table as a type). The values travel in their binary form.
 */
export const COMPOSITE_COLUMNS_SQL = `SELECT a.attname::text, t.typname::text,
  (SELECT coalesce(json_agg(json_build_array(ca.attname, format_type(ca.atttypid, ca.atttypmod)) ORDER BY ca.attnum), '[]'::json)
   FROM pg_attribute ca WHERE ca.attrelid = t.typrelid AND ca.attnum > 0 AND NOT ca.attisdropped)::text
FROM pg_attribute a
JOIN pg_type at ON at.oid = a.atttypid
JOIN pg_type t ON t.oid = CASE WHEN at.typcategory = 'A' THEN at.typelem ELSE at.oid END
JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND t.typtype = 'c'
ORDER BY a.attnum`;

/** Whether any of `columns` may be of a composite type (or an array of one): the catalog query is skipped otherwise. */
export function mayHaveComposites(columns: readonly Pick<PgColumn, 'typeCategory'>[]): boolean {
  return columns.some((c) => c.typeCategory === 'C' || c.typeCategory === 'A');
}

/** The composite columns from `COMPOSITE_COLUMNS_SQL` rows (malformed rows are left out). */
export function compositeColumnsFromRows(
  rows: readonly (readonly (string | undefined)[])[],
): Map<string, CompositeType> {
  const out = new Map<string, CompositeType>();
  for (const [column, type, attributesJson] of rows) {
    if (column === undefined || type === undefined || attributesJson === undefined) continue;
    const attributes = JSON.parse(attributesJson) as unknown;
    if (!Array.isArray(attributes)) continue;
    out.set(column, {
      type,
      attributes: attributes.filter(
        (a): a is [string, string] =>
          Array.isArray(a) && a.length === 2 && typeof a[0] === 'string' && typeof a[1] === 'string',
      ),
    });
  }
  return out;
}

/** The schema metadata entry for the composite columns among `columns` (none when there are none). */
export function compositeColumnsMetadata(
  composites: ReadonlyMap<string, CompositeType>,
  columns: readonly Pick<PgColumn, 'name'>[],
): [string, string][] {
  const picked = columns.filter((c) => composites.has(c.name)).map((c) => [c.name, composites.get(c.name)] as const);
  return picked.length === 0 ? [] : [[COMPOSITE_COLUMNS_METADATA, JSON.stringify(Object.fromEntries(picked))]];
}
