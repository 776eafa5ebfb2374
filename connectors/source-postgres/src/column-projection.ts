import type { PgColumn } from '@rapidbyte/sdk';

export type Projection =
  { readonly ok: true; readonly columns: PgColumn[] } | { readonly ok: false; readonly unknown: string };

/**
 * Applies the stream's `columns` list to a relation's columns, in the order requested. No list
 * (or an empty one) means every column in table order. Names match exactly (they are Postgres
 * names, not SQL).
 */
export function projectColumns(all: readonly PgColumn[], requested: readonly string[] | undefined): Projection {
  if (!requested || requested.length === 0) return { ok: true, columns: [...all] };
  const byName = new Map(all.map((c) => [c.name, c]));
  const columns: PgColumn[] = [];
  const seen = new Set<string>();
  for (const name of requested) {
    const column = byName.get(name);
    if (!column) return { ok: false, unknown: name };
    if (seen.has(name)) continue;
    seen.add(name);
    columns.push(column);
  }
  return { ok: true, columns };
}

/** The primary key to announce downstream: only if every key column is part of the projection. */
export function projectedPrimaryKey(primaryKey: readonly string[], columns: readonly PgColumn[]): string[] {
  const names = new Set(columns.map((c) => c.name));
  return primaryKey.every((k) => names.has(k)) ? [...primaryKey] : [];
}
