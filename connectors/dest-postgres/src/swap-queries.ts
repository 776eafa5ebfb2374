import { quoteIdent } from '@rapidbyte/sdk/postgres';

/**
 * Catalog queries and pure helpers for swapping a staging table in for its target (`replace`).
 * Each query takes `$1` = the target's oid.
 */

/** Privileges granted on the target, except the owner's own: grantee (NULL = PUBLIC), privilege, grantable. */
export const TABLE_GRANTS_SQL = `SELECT CASE WHEN x.grantee = 0 THEN NULL ELSE pg_get_userbyid(x.grantee)::text END,
  x.privilege_type::text, x.is_grantable::text
FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) x
WHERE c.oid = $1::oid AND x.grantee <> c.relowner
ORDER BY 1, 2`;

/** `$1` = target oid, `$2` = staging oid -> target owner, staging owner. */
export const OWNERS_SQL = `SELECT pg_get_userbyid(t.relowner)::text, pg_get_userbyid(s.relowner)::text
FROM pg_class t, pg_class s WHERE t.oid = $1::oid AND s.oid = $2::oid`;

/** Views and materialized views whose rules depend on the target. */
export const DEPENDENT_VIEWS_SQL = `SELECT DISTINCT v.oid::regclass::text
FROM pg_depend d
JOIN pg_rewrite r ON r.oid = d.objid
JOIN pg_class v ON v.oid = r.ev_class
WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.refobjid = $1::oid AND v.oid <> $1::oid
ORDER BY 1`;

/**
 * Sequences owned by target columns (serial): schema, sequence, column. Dropping the target
 * would drop them while the staging table's defaults (copied by LIKE) still use them, so their
 * ownership moves to the staging table first. Identity sequences (deptype `i`) are not listed:
 * LIKE ... INCLUDING IDENTITY gives the staging table its own.
 */
export const OWNED_SEQUENCES_SQL = `SELECT n.nspname::text, s.relname::text, a.attname::text
FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_namespace n ON n.oid = s.relnamespace
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.refobjid = $1::oid AND d.deptype = 'a'`;

/** One row of TABLE_GRANTS_SQL. */
export interface TableGrant {
  /** Role name; undefined means PUBLIC. */
  readonly grantee: string | undefined;
  readonly privilege: string;
  readonly grantable: boolean;
}

export function grantsFromRows(rows: readonly (readonly (string | undefined)[])[]): TableGrant[] {
  return rows.map((r) => ({
    grantee: r[0] ?? undefined,
    privilege: r[1] ?? '',
    grantable: r[2] === 't' || r[2] === 'true',
  }));
}

const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN'] as const;

/** `GRANT SELECT ON <table> TO "role" [WITH GRANT OPTION]`, one per grant; unknown privileges are skipped. */
export function grantStatements(qualifiedTable: string, grants: readonly TableGrant[]): string[] {
  return grants
    .filter((g) => (PRIVILEGES as readonly string[]).includes(g.privilege))
    .map(
      (g) =>
        `GRANT ${g.privilege} ON ${qualifiedTable} TO ${g.grantee === undefined ? 'PUBLIC' : quoteIdent(g.grantee)}` +
        (g.grantable && g.grantee !== undefined ? ' WITH GRANT OPTION' : ''),
    );
}

/** First key of the two-key advisory lock a `replace` holds on its target ("rbrp" in ASCII). */
export const REPLACE_LOCK_CLASS = 0x72627270;

const KEY = `${REPLACE_LOCK_CLASS}, hashtext($1::text)`;
/** `$1` = the target's quoted, qualified name. */
export const TRY_REPLACE_LOCK_SQL = `SELECT pg_try_advisory_lock(${KEY})::text`;
export const REPLACE_LOCK_SQL = `SELECT pg_advisory_lock(${KEY})::text`;
export const REPLACE_UNLOCK_SQL = `SELECT pg_advisory_unlock(${KEY})::text`;

/** Backoff before swap attempt `retry` (0-based): 100 ms doubling, capped at 5 s. */
export function swapBackoffMs(retry: number): number {
  return Math.min(100 * 2 ** retry, 5000);
}
