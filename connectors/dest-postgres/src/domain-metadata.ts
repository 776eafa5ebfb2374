import type { FrameField } from '@rapidbyte/sdk';
import { DOMAIN_COLUMNS_METADATA, PG_METADATA_KEYS } from '@rapidbyte/sdk/frames';
import { isSafeTypeName } from './sql-type-name.js';

/** `$1` = a type name -> the base type (`format_type`) when it names a domain here, else no row. */
export const DOMAIN_BASE_SQL = `SELECT format_type(t.typbasetype, t.typtypmod) FROM pg_type t WHERE t.oid = to_regtype($1::text) AND t.typtype = 'd'`;

/** The domain columns a frame's schema metadata names (malformed or unsafe entries are ignored). */
export function domainColumnsOf(metadata: Readonly<Record<string, string>> | undefined): ReadonlyMap<string, string> {
  const raw = metadata?.[DOMAIN_COLUMNS_METADATA];
  if (!raw) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return new Map();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return new Map();
  return new Map(
    Object.entries(parsed as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && isSafeTypeName(e[1]),
    ),
  );
}

/** `field` with its Postgres type replaced by `typeName` (for the DDL of a new table). */
export function withPgType(field: FrameField, typeName: string): FrameField {
  return { ...field, metadata: { ...(field.metadata ?? {}), [PG_METADATA_KEYS.type]: typeName } };
}
