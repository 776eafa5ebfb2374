import type { PgColumn } from '@rapidbyte/sdk';
import { COLUMN_FILL_METADATA, COLUMN_IDENTITY_METADATA, RENAMED_COLUMNS_METADATA } from '@rapidbyte/sdk/frames';
import type { TextRow } from './catalog-queries.js';

/**
 * `$1` = relation oid -> each column's attnum, name, type oid, and what rows that existed when it
 * was added hold: `atthasmissing` with the value (`attmissingval`, the one constant a non-volatile
 * `ADD COLUMN … DEFAULT` gave them), and whether it has a default at all.
 */
export const COLUMN_IDENTITY_SQL = `SELECT a.attnum::text, a.attname::text, a.atttypid::int8::text, a.atthasmissing::text,
  CASE WHEN a.atthasmissing THEN (a.attmissingval::text::text[])[1] END, (d.adbin IS NOT NULL)::text
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;

/** A source column's identity: its attnum survives a rename. */
export interface ColumnIdentity {
  readonly attnum: number;
  readonly name: string;
  readonly typeOid: number;
}

/** One catalog row of COLUMN_IDENTITY_SQL. */
export interface ColumnCatalogRow extends ColumnIdentity {
  readonly fill: { readonly value: string } | { readonly unknown: true } | undefined;
}

/** The identity map stored in CDC checkpoints: `[attnum, name, typeOid]` per stream column. */
export type StoredColumns = readonly (readonly [number, string, number])[];

export function columnCatalogFromRows(rows: readonly TextRow[]): ColumnCatalogRow[] {
  return rows.map((r) => {
    const missing = r[3] === 't' || r[3] === 'true';
    const hasDefault = r[5] === 't' || r[5] === 'true';
    const fill = missing
      ? r[4] === undefined
        ? { unknown: true as const }
        : { value: r[4] }
      : hasDefault
        ? { unknown: true as const }
        : undefined;
    return { attnum: Number(r[0]), name: r[1] ?? '', typeOid: Number(r[2]), fill };
  });
}

/** What a CDC stream tells the destination about its columns' history, and the identity it checkpoints. */
export interface ColumnHistory {
  readonly metadata: [string, string][];
  /** Renamed columns, new name -> old name. */
  readonly renamed: ReadonlyMap<string, string>;
  /** The stream's columns by attnum, under the names the destination has (old names of renamed columns until a frame carries the new one). */
  readonly identity: ColumnIdentity[];
  /** For the replication stream only (see {@link COLUMN_IDENTITY_METADATA}). */
  readonly engine: [string, string];
}

/**
 * Compares the stream's columns now with the identity stored in the last committed checkpoint
 * (`previous`): a column with the same attnum and type under another name was renamed (pgoutput
 * only sends names, so the change stream alone shows a drop and an add). Also describes what rows
 * existing before each column was added hold (`COLUMN_FILL_METADATA`).
 */
export function columnHistory(
  columns: readonly PgColumn[],
  catalog: readonly ColumnCatalogRow[],
  previous: StoredColumns | undefined,
): ColumnHistory {
  const byName = new Map(catalog.map((c) => [c.name, c]));
  const names = new Set(columns.map((c) => c.name));
  const before = new Map((previous ?? []).map(([attnum, name, typeOid]) => [attnum, { name, typeOid }]));
  const renamed = new Map<string, string>();
  const identity: ColumnIdentity[] = [];
  const fill: Record<string, ColumnCatalogRow['fill']> = {};
  for (const column of columns) {
    const row = byName.get(column.name);
    if (row === undefined) continue;
    if (row.fill !== undefined) fill[row.name] = row.fill;
    const old = before.get(row.attnum);
    if (old !== undefined && old.name !== row.name && old.typeOid === row.typeOid && !names.has(old.name)) {
      renamed.set(row.name, old.name);
      identity.push({ attnum: row.attnum, name: old.name, typeOid: row.typeOid });
    } else identity.push({ attnum: row.attnum, name: row.name, typeOid: row.typeOid });
  }
  const metadata: [string, string][] = [];
  const current = catalog.filter((c) => names.has(c.name)).map((c) => [c.attnum, c.name, c.typeOid]);
  if (renamed.size > 0) metadata.push([RENAMED_COLUMNS_METADATA, JSON.stringify(Object.fromEntries(renamed))]);
  if (Object.keys(fill).length > 0) metadata.push([COLUMN_FILL_METADATA, JSON.stringify(fill)]);
  return { metadata, renamed, identity, engine: [COLUMN_IDENTITY_METADATA, JSON.stringify(current)] };
}

/** `identity` as checkpoints store it, after a frame with `fields` went out: a renamed column takes its new name once a frame carried it. */
export function storedColumns(
  identity: ColumnIdentity[],
  renamed: ReadonlyMap<string, string>,
  fields: readonly string[] | undefined,
): StoredColumns {
  if (fields !== undefined) {
    for (const [neu, old] of renamed) {
      if (!fields.includes(neu)) continue;
      const i = identity.findIndex((c) => c.name === old);
      if (i >= 0) identity[i] = { ...(identity[i] as ColumnIdentity), name: neu };
    }
  }
  return identity.map((c) => [c.attnum, c.name, c.typeOid] as const);
}
