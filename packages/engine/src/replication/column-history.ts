/**
 * What a CDC stream tells its destination about the source table's columns beyond their names:
 * pgoutput's Relation messages carry names only, so a renamed column looks like a dropped one and
 * an added one, and an added column says nothing of the value rows already in the table hold.
 * The source's catalog does: a column keeps its attnum when renamed, and `attmissingval` is the
 * constant that rows existing at `ADD COLUMN … DEFAULT` took.
 */

/** `$1` = relation oid -> attnum, name, type oid, has a missing value, that value (text), has a default. */
export const COLUMN_CATALOG_SQL = `SELECT a.attnum::int, a.attname::text, a.atttypid::int8::text, a.atthasmissing,
  CASE WHEN a.atthasmissing THEN (a.attmissingval::text::text[])[1] END, d.adbin IS NOT NULL
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;

export type ExistingRowsFill = { readonly value: string } | { readonly unknown: true };

/** A column's identity in the source catalog. */
export interface ColumnId {
  readonly attnum: number;
  readonly typeOid: number;
}

/** A row of COLUMN_CATALOG_SQL. */
export interface CatalogColumn extends ColumnId {
  readonly name: string;
  readonly fill: ExistingRowsFill | undefined;
}

/** Rows of COLUMN_CATALOG_SQL (node-postgres array mode). */
export function catalogColumnsFromRows(rows: readonly (readonly unknown[])[]): CatalogColumn[] {
  return rows.map((r) => {
    const missing = r[3] === true;
    const fill: ExistingRowsFill | undefined = missing
      ? typeof r[4] === 'string'
        ? { value: r[4] }
        : { unknown: true }
      : r[5] === true
        ? { unknown: true }
        : undefined;
    return { attnum: Number(r[0]), name: String(r[1]), typeOid: Number(r[2]), fill };
  });
}

/** The identity map a source passed in `COLUMN_IDENTITY_METADATA` (`@rapidbyte/sdk/frames`); undefined when absent or malformed. */
export function parseColumnIdentity(raw: string | undefined): Map<string, ColumnId> | undefined {
  if (!raw) return undefined;
  try {
    const list = JSON.parse(raw) as unknown;
    if (!Array.isArray(list)) return undefined;
    const out = new Map<string, ColumnId>();
    for (const entry of list as unknown[]) {
      if (Array.isArray(entry) && typeof entry[1] === 'string')
        out.set(entry[1], { attnum: Number(entry[0]), typeOid: Number(entry[2]) });
    }
    return out;
  } catch {
    return undefined;
  }
}

/** What a shape change means, by the catalog: renames (new → old), fills of added columns, and the identity from now on. */
export interface ShapeChange {
  readonly renamed: Record<string, string>;
  readonly fill: Record<string, ExistingRowsFill>;
  readonly known: Map<string, ColumnId>;
}

/**
 * The stream's columns went from `before` to `after` (names). A column in `after` only whose
 * catalog attnum and type are those `known` had for a column in `before` only was renamed; an
 * added column's fill is the catalog's. Names the catalog no longer has (a replay of changes older
 * than a later DDL) keep what was known of them.
 */
export function followShapeChange(
  known: ReadonlyMap<string, ColumnId>,
  before: readonly string[],
  after: readonly string[],
  catalog: readonly CatalogColumn[],
): ShapeChange {
  const byName = new Map(catalog.map((c) => [c.name, c]));
  const dropped = before.filter((n) => !after.includes(n));
  const renamed: Record<string, string> = {};
  const fill: Record<string, ExistingRowsFill> = {};
  for (const name of after.filter((n) => !before.includes(n))) {
    const c = byName.get(name);
    if (c === undefined) continue;
    const old = dropped.find((d) => known.get(d)?.attnum === c.attnum && known.get(d)?.typeOid === c.typeOid);
    if (old !== undefined) renamed[name] = old;
    else if (c.fill !== undefined) fill[name] = c.fill;
  }
  const next = new Map<string, ColumnId>();
  for (const name of after) {
    const c = byName.get(name) ?? known.get(name);
    if (c !== undefined) next.set(name, { attnum: c.attnum, typeOid: c.typeOid });
  }
  return { renamed, fill, known: next };
}
