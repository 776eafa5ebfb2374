import type { PgColumn } from '@rapidbyte/sdk';
import type { KeyColumn } from './key-columns.js';
import { carriedFrom } from './oid-alias-columns.js';

/** The key a read orders, chunks and identifies rows by. */
export interface ReadKey {
  /** Key columns in key order, typed with their `format_type` (empty: no key). */
  readonly columns: readonly KeyColumn[];
  /** Where it came from: the stream's `primary_key`, the table's primary key, or none. */
  readonly origin: 'config' | 'catalog' | 'none';
  /** True when every key column is NOT NULL (row comparisons never skip a row). */
  readonly notNull: boolean;
  readonly warnings: readonly string[];
}

/**
 * The stream's `primary_key` when every named column exists in the relation, else the table's
 * primary key (a `primary_key` naming other columns — e.g. renamed by a transform — is reported
 * in `warnings`), else no key.
 */
export function resolveReadKey(
  columns: readonly PgColumn[],
  catalogKey: readonly string[],
  configKey: readonly string[] | undefined,
): ReadKey {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const warnings: string[] = [];
  if (configKey && configKey.length > 0) {
    const missing = configKey.filter((k) => !byName.has(k));
    if (missing.length === 0) return keyOf(configKey, byName, 'config', warnings);
    warnings.push(
      `primary_key column(s) ${missing.map((m) => JSON.stringify(m)).join(', ')} are not columns of the source; ` +
        (catalogKey.length > 0 ? `using the table's primary key (${catalogKey.join(', ')})` : 'reading without a key'),
    );
  }
  if (catalogKey.length > 0) return keyOf(catalogKey, byName, 'catalog', warnings);
  return { columns: [], origin: 'none', notNull: false, warnings };
}

function keyOf(
  names: readonly string[],
  byName: ReadonlyMap<string, PgColumn>,
  origin: ReadKey['origin'],
  warnings: string[],
): ReadKey {
  const cols = names.map((n) => byName.get(n)).filter((c): c is PgColumn => c !== undefined);
  return {
    // a key carried as text (an OID alias) is still compared as its own type at the source
    columns: cols.map((c) => ({ name: c.name, type: carriedFrom(c) ?? c.typeName })),
    origin,
    notNull: origin === 'catalog' || cols.every((c) => !c.nullable),
    warnings,
  };
}

/** Same names in the same order. */
export function sameNames(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((n, i) => n === b[i]);
}
