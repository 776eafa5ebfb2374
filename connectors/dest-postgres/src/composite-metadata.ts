import { COMPOSITE_COLUMNS_METADATA } from '@rapidbyte/sdk/frames';
import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';
import { isSafeTypeName } from './sql-type-name.js';

/** A composite type as the source defines it (schema metadata `rapidbyte.composite_columns`). */
export interface CompositeTypeSpec {
  /** Unqualified name. */
  readonly type: string;
  /** `[name, type]` of its attributes, in order. */
  readonly attributes: readonly (readonly [string, string])[];
}

/** `$1` = a type name -> its oid when it resolves here (qualified, or through the search path), else NULL. */
export const TYPE_RESOLVES_SQL = `SELECT to_regtype($1::text)::oid::text`;

/**
 * The composite columns a frame's schema metadata names. Entries whose attribute types could not
 * be used in DDL are left out (the column then keeps its source type name, as before).
 */
export function compositeColumnsOf(
  metadata: Readonly<Record<string, string>> | undefined,
): ReadonlyMap<string, CompositeTypeSpec> {
  const raw = metadata?.[COMPOSITE_COLUMNS_METADATA];
  if (!raw) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return new Map();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return new Map();
  const out = new Map<string, CompositeTypeSpec>();
  for (const [column, spec] of Object.entries(parsed as Record<string, unknown>)) {
    const s = spec as { type?: unknown; attributes?: unknown } | null;
    if (s === null || typeof s !== 'object' || typeof s.type !== 'string' || s.type === '') continue;
    if (!Array.isArray(s.attributes) || s.attributes.length === 0) continue;
    const attributes = s.attributes.filter(
      (a): a is [string, string] =>
        Array.isArray(a) &&
        a.length === 2 &&
        typeof a[0] === 'string' &&
        typeof a[1] === 'string' &&
        isSafeTypeName(a[1]),
    );
    if (attributes.length !== s.attributes.length) continue;
    out.set(column, { type: s.type, attributes });
  }
  return out;
}

/** `CREATE TYPE "schema"."addr" AS ("street" text, "zip" integer)`. */
export function createCompositeTypeDdl(schema: string, spec: CompositeTypeSpec): string {
  const attributes = spec.attributes.map(([name, type]) => `${quoteIdent(name)} ${type}`).join(', ');
  return `CREATE TYPE ${quoteQualified(schema, spec.type)} AS (${attributes})`;
}
