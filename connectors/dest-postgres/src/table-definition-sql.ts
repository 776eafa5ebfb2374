import { MAX_IDENTIFIER_BYTES } from '@rapidbyte/sdk/postgres';
import { cutUtf8, utf8Length } from './staging-table-name.js';

/**
 * Catalog queries that carry a table's definition over to the staging table `replace` swaps in
 * for it. `LIKE ... INCLUDING ALL` already copies columns, defaults, identity, generated columns,
 * NOT NULL and CHECK constraints (under their names), indexes (with PRIMARY KEY, UNIQUE and
 * EXCLUDE constraints, but named after the staging table), extended statistics (same) and the
 * comments on columns, indexes, CHECK constraints and statistics. What it leaves out is produced
 * here as SQL statements, built server-side with `format()` from `pg_get_*def`, so every name is
 * quoted by Postgres itself. Statements that name the target by its name run after the staging
 * table has been renamed to it, so they resolve to the new table.
 */

/**
 * `$1` = target oid, `$2` = staging oid, `$3` = the target's quoted, qualified name ->
 * (statement) in the order to run after `DROP TABLE target` and the rename of the staging table:
 * - indexes and statistics of the staging table renamed to the names the target's have, matched
 *   by definition (access method, key kind, columns or expressions, options, predicate; equal
 *   definitions pair in creation order), so names stay the user's whatever the number of runs;
 * - the staging table's identity sequences (its own, from `LIKE ... INCLUDING IDENTITY`) renamed
 *   to the target's and set to where the target's were, so the next generated value follows on;
 * - foreign keys of the target to itself (the others are added while loading, see
 *   OUTGOING_FOREIGN_KEYS_SQL), triggers (not internal ones) with their enabled state;
 * - comments on the table and on its constraints and triggers;
 * - row-level security (enabled, forced) and its policies;
 * - the replica identity.
 */
export const TABLE_DEFINITION_SQL = `WITH idx AS (
  SELECT i.indrelid AS rel, i.indexrelid, c.relname,
    concat_ws('|', am.amname, i.indisprimary, i.indisunique, i.indisexclusion, i.indimmediate, i.indnkeyatts,
      i.indoption::text, (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, false), ',' ORDER BY k)
                          FROM generate_series(1, i.indnatts) k),
      pg_get_expr(i.indpred, i.indrelid)) AS sig
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
  WHERE i.indrelid IN ($1::oid, $2::oid)
), idx_n AS (
  SELECT *, row_number() OVER (PARTITION BY rel, sig ORDER BY indexrelid) AS n FROM idx
), st AS (
  SELECT s.stxrelid AS rel, s.oid, s.stxname, n.nspname,
    s.stxkind::text || '|' || pg_get_statisticsobjdef_columns(s.oid) AS sig
  FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
  WHERE s.stxrelid IN ($1::oid, $2::oid)
), st_n AS (
  SELECT *, row_number() OVER (PARTITION BY rel, sig ORDER BY oid) AS n FROM st
), identity_seq AS (
  SELECT d.refobjid AS rel, a.attname, d.objid AS seq
  FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'i'
    AND d.refobjid IN ($1::oid, $2::oid)
), statements(ord, sub, sql) AS (
  SELECT 10, s.indexrelid::int8, format('ALTER INDEX %s RENAME TO %I', s.indexrelid::regclass::text, t.relname)
  FROM idx_n t JOIN idx_n s ON s.rel = $2::oid AND s.sig = t.sig AND s.n = t.n
  WHERE t.rel = $1::oid AND s.relname <> t.relname
  UNION ALL
  SELECT 15, s.oid::int8, format('ALTER STATISTICS %I.%I RENAME TO %I', s.nspname, s.stxname, t.stxname)
  FROM st_n t JOIN st_n s ON s.rel = $2::oid AND s.sig = t.sig AND s.n = t.n
  WHERE t.rel = $1::oid AND s.stxname <> t.stxname
  UNION ALL
  SELECT 16, ns.oid::int8, format('ALTER SEQUENCE %s RENAME TO %I', ns.oid::regclass::text, ts.relname)
  FROM identity_seq t JOIN identity_seq s ON s.rel = $2::oid AND s.attname = t.attname
  JOIN pg_class ts ON ts.oid = t.seq JOIN pg_class ns ON ns.oid = s.seq
  WHERE t.rel = $1::oid AND ts.relname <> ns.relname
  UNION ALL
  SELECT 17, s.seq::int8, format('SELECT setval(%s::oid::regclass, %s)', s.seq, pg_sequence_last_value(t.seq))
  FROM identity_seq t JOIN identity_seq s ON s.rel = $2::oid AND s.attname = t.attname
  WHERE t.rel = $1::oid AND pg_sequence_last_value(t.seq) IS NOT NULL
  UNION ALL
  SELECT 20, k.oid::int8, format('ALTER TABLE %s ADD CONSTRAINT %I %s%s', $3::text, k.conname, pg_get_constraintdef(k.oid),
    CASE WHEN k.convalidated THEN '' ELSE ' NOT VALID' END)
  FROM pg_constraint k WHERE k.conrelid = $1::oid AND k.confrelid = $1::oid AND k.contype = 'f'
  UNION ALL
  SELECT 30, g.oid::int8, pg_get_triggerdef(g.oid)
  FROM pg_trigger g WHERE g.tgrelid = $1::oid AND NOT g.tgisinternal
  UNION ALL
  SELECT 31, g.oid::int8, format('ALTER TABLE %s %s TRIGGER %I', $3::text,
    CASE g.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'ENABLE ALWAYS' END, g.tgname)
  FROM pg_trigger g WHERE g.tgrelid = $1::oid AND NOT g.tgisinternal AND g.tgenabled <> 'O'
  UNION ALL
  SELECT 40, 0, format('COMMENT ON TABLE %s IS %L', $3::text, d.description)
  FROM pg_description d WHERE d.classoid = 'pg_class'::regclass AND d.objoid = $1::oid AND d.objsubid = 0
  UNION ALL
  SELECT 41, k.oid::int8, format('COMMENT ON CONSTRAINT %I ON %s IS %L', k.conname, $3::text, d.description)
  FROM pg_constraint k JOIN pg_description d ON d.classoid = 'pg_constraint'::regclass AND d.objoid = k.oid
  WHERE k.conrelid = $1::oid
  UNION ALL
  SELECT 42, g.oid::int8, format('COMMENT ON TRIGGER %I ON %s IS %L', g.tgname, $3::text, d.description)
  FROM pg_trigger g JOIN pg_description d ON d.classoid = 'pg_trigger'::regclass AND d.objoid = g.oid
  WHERE g.tgrelid = $1::oid AND NOT g.tgisinternal
  UNION ALL
  SELECT 50, 0, format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', $3::text)
  FROM pg_class c WHERE c.oid = $1::oid AND c.relrowsecurity
  UNION ALL
  SELECT 51, 0, format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', $3::text)
  FROM pg_class c WHERE c.oid = $1::oid AND c.relforcerowsecurity
  UNION ALL
  SELECT 60, p.oid::int8, format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', p.polname, $3::text,
    CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
    CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
    (SELECT string_agg(CASE WHEN r.role = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.role)) END, ', ' ORDER BY r.ord)
     FROM unnest(p.polroles) WITH ORDINALITY r(role, ord)),
    ' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')',
    ' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')')
  FROM pg_policy p WHERE p.polrelid = $1::oid
  UNION ALL
  SELECT 61, p.oid::int8, format('COMMENT ON POLICY %I ON %s IS %L', p.polname, $3::text, d.description)
  FROM pg_policy p JOIN pg_description d ON d.classoid = 'pg_policy'::regclass AND d.objoid = p.oid
  WHERE p.polrelid = $1::oid
  UNION ALL
  SELECT 70, 0, format('ALTER TABLE %s REPLICA IDENTITY %s', $3::text,
    CASE c.relreplident WHEN 'f' THEN 'FULL' WHEN 'n' THEN 'NOTHING'
      ELSE (SELECT format('USING INDEX %I', ic.relname) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
            WHERE i.indrelid = c.oid AND i.indisreplident) END)
  FROM pg_class c WHERE c.oid = $1::oid AND c.relreplident IN ('f', 'n', 'i')
)
SELECT sql FROM statements WHERE sql IS NOT NULL ORDER BY ord, sub`;

/**
 * `$1` = target oid, `$2` = the staging table's quoted, qualified name -> (statement): the
 * target's foreign keys to other tables, added to the loaded staging table under the same names
 * (validated, unless the target's was NOT VALID), before the swap: checking the new rows against
 * the referenced tables happens while loading, not while the target is locked.
 */
export const OUTGOING_FOREIGN_KEYS_SQL = `SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s%s', $2::text, k.conname, pg_get_constraintdef(k.oid),
  CASE WHEN k.convalidated THEN '' ELSE ' NOT VALID' END)
FROM pg_constraint k WHERE k.conrelid = $1::oid AND k.contype = 'f' AND k.confrelid <> $1::oid
ORDER BY k.oid`;

/**
 * `$1` = target oid -> foreign keys of OTHER tables that reference the target (top-level ones;
 * a partitioned table's constraint brings its partitions' along): the referencing table, the
 * constraint, the statement that drops it before the swap, the one that adds it back (validated
 * unless it was NOT VALID; its `REFERENCES` names the target, so it binds to the new table) and
 * the one that restores its comment (or NULL).
 */
export const REFERENCING_FOREIGN_KEYS_SQL = `SELECT k.conrelid::regclass::text, k.conname::text,
  format('ALTER TABLE %s DROP CONSTRAINT %I', k.conrelid::regclass::text, k.conname),
  format('ALTER TABLE %s ADD CONSTRAINT %I %s%s', k.conrelid::regclass::text, k.conname, pg_get_constraintdef(k.oid),
    CASE WHEN k.convalidated THEN '' ELSE ' NOT VALID' END),
  (SELECT format('COMMENT ON CONSTRAINT %I ON %s IS %L', k.conname, k.conrelid::regclass::text, d.description)
   FROM pg_description d WHERE d.classoid = 'pg_constraint'::regclass AND d.objoid = k.oid)
FROM pg_constraint k
WHERE k.confrelid = $1::oid AND k.contype = 'f' AND k.conrelid <> $1::oid AND k.conparentid = 0
ORDER BY 1, 2`;

/** One row of REFERENCING_FOREIGN_KEYS_SQL. */
export interface ReferencingForeignKey {
  /** The referencing table as `regclass` prints it (`wh.order_lines`). */
  readonly table: string;
  readonly name: string;
  readonly drop: string;
  readonly add: string;
  readonly comment: string | undefined;
}

export function referencingForeignKeysFromRows(
  rows: readonly (readonly (string | undefined)[])[],
): ReferencingForeignKey[] {
  return rows.map((r) => ({
    table: r[0] ?? '',
    name: r[1] ?? '',
    drop: r[2] ?? '',
    add: r[3] ?? '',
    comment: r[4] ?? undefined,
  }));
}

/**
 * `$1` = target oid, `$2` = the staging table's quoted, qualified name -> `GRANT <privilege>
 * (<column>) ON <stage> TO <role>` for every column-level privilege of the target (the owner's
 * own excluded, as for table grants).
 */
export const COLUMN_GRANTS_SQL = `SELECT format('GRANT %s (%I) ON %s TO %s%s', x.privilege_type, a.attname, $2::text,
  CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END,
  CASE WHEN x.is_grantable AND x.grantee <> 0 THEN ' WITH GRANT OPTION' ELSE '' END)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid CROSS JOIN LATERAL aclexplode(a.attacl) x
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND x.grantee <> c.relowner
ORDER BY a.attnum, 1`;

/**
 * `$1` = table oid -> (index as regclass text, index name) of its primary key.
 */
export const PRIMARY_KEY_INDEX_SQL = `SELECT i.indexrelid::regclass::text, c.relname::text
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::oid AND i.indisprimary`;

/**
 * The name Postgres gives the primary key of `CREATE TABLE <table> (... PRIMARY KEY ...)`:
 * `<table>_pkey`, the table name cut (on a character boundary) so the whole fits 63 bytes.
 */
export function primaryKeyName(table: string): string {
  const label = '_pkey';
  const room = MAX_IDENTIFIER_BYTES - label.length;
  return (utf8Length(table) <= room ? table : cutUtf8(table, room)) + label;
}
