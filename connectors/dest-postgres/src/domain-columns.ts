import { log, pg, type FrameField, type Step } from '@rapidbyte/sdk';
import { PG_TYPE_METADATA } from './frame-columns.js';
import { isSafeTypeName } from './sql-type-name.js';

/** Schema metadata the source sets: column name -> the domain (qualified) its type is at the source. */
export const DOMAIN_COLUMNS_METADATA = 'rapidbyte.domain_columns';

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
  return new Map(Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && isSafeTypeName(e[1])));
}

/** `field` with its Postgres type replaced by `typeName` (for the DDL of a new table). */
export function withPgType(field: FrameField, typeName: string): FrameField {
  return { ...field, metadata: { ...(field.metadata ?? {}), [PG_TYPE_METADATA]: typeName } };
}

/**
 * The fields to create a new table from: a column whose type is a domain at the source gets that
 * domain when the destination has a domain of the same (qualified) name over the same base type;
 * otherwise it keeps the base type, with a warning naming the domain to create for next time.
 */
export function* fieldsWithDomains(conn: number, stream: string, fields: readonly FrameField[], domains: ReadonlyMap<string, string> | undefined): Step<readonly FrameField[]> {
  if (!domains || domains.size === 0) return fields;
  const out: FrameField[] = [];
  for (const field of fields) {
    const domain = domains.get(field.name);
    const base = field.metadata?.[PG_TYPE_METADATA];
    if (domain === undefined || base === undefined) {
      out.push(field);
      continue;
    }
    const here = (yield* pg.query(conn, DOMAIN_BASE_SQL, [domain])).rows[0]?.[0];
    if (here === base) {
      out.push(withPgType(field, domain));
      continue;
    }
    log.warn(
      here === undefined
        ? `${stream}: column ${JSON.stringify(field.name)} is of domain ${domain} at the source, which the destination lacks; it is created as ${base}. Create the domain at the destination (over ${base}) before the table is created to keep it`
        : `${stream}: column ${JSON.stringify(field.name)} is of domain ${domain} at the source; the destination's ${domain} is over ${here}, not ${base}, so the column is created as ${base}`,
    );
    out.push(field);
  }
  return out;
}
