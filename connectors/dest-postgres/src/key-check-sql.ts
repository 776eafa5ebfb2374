/**
 * Catalog queries behind `upsert`'s key: `ON CONFLICT (key)` needs a unique index on exactly the
 * key columns (in any order) that can act as its arbiter — valid, immediate (not deferrable), not
 * partial, no expressions; INCLUDE columns do not count.
 */

/** `$1` = table oid, `$2` = key column names as a JSON array -> 'true' | 'false'. */
export const UNIQUE_KEY_SQL = `SELECT EXISTS (
  SELECT 1 FROM pg_index i
  WHERE i.indrelid = $1::oid AND i.indisunique AND i.indisvalid AND i.indimmediate
    AND i.indpred IS NULL AND i.indexprs IS NULL
    AND i.indnkeyatts = json_array_length($2::json)
    AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text COLLATE "C")
           FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
          WHERE k.ord <= i.indnkeyatts)
      = (SELECT array_agg(x ORDER BY x COLLATE "C") FROM json_array_elements_text($2::json) x)
)::text`;

/** `$1` = table oid -> the primary key's columns, one per row, in key order (none: no primary key). */
export const PRIMARY_KEY_COLUMNS_SQL = `SELECT a.attname::text
FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = $1::oid AND i.indisprimary AND k.ord <= i.indnkeyatts
ORDER BY k.ord`;

/** The `$2` parameter of UNIQUE_KEY_SQL. */
export function keyParam(key: readonly string[]): string {
  return JSON.stringify(key);
}

/** Key columns that are not among the frame's fields (upsert needs all of them in the data). */
export function keyColumnsMissing(key: readonly string[], fields: readonly { readonly name: string }[]): string[] {
  const names = new Set(fields.map((f) => f.name));
  return key.filter((k) => !names.has(k));
}
