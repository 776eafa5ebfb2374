import type { PgColumn } from '@rapidbyte/sdk';
import { DOMAIN_COLUMNS_METADATA } from '@rapidbyte/sdk/frames';

/**
 * `$1` = relation oid -> name and domain (qualified, quoted as needed) of its columns whose type
 * is a domain. The column itself travels as its base type (`RELATION_COLUMNS_SQL`); the
 * destination uses the domain when it has one of that name over the same base type.
 */
export const DOMAIN_COLUMNS_SQL = `SELECT a.attname::text, quote_ident(n.nspname) || '.' || quote_ident(t.typname)
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND t.typtype = 'd'
ORDER BY a.attnum`;

/** The schema metadata entry for the domain columns among `columns` (none when there are none). */
export function domainColumnsMetadata(
  domains: ReadonlyMap<string, string>,
  columns: readonly Pick<PgColumn, 'name'>[],
): [string, string][] {
  const picked = columns
    .filter((c) => domains.has(c.name))
    .map((c) => [c.name, domains.get(c.name) as string] as const);
  return picked.length === 0 ? [] : [[DOMAIN_COLUMNS_METADATA, JSON.stringify(Object.fromEntries(picked))]];
}
