/**
 * `$1` = slot name -> server settings and the user's rights for logical replication, and whether
 * the slot exists already (one row).
 */
export const REPLICATION_SETTINGS_SQL = `SELECT current_setting('wal_level'),
  (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user)::text,
  current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots),
  current_setting('max_wal_senders')::int - (SELECT count(*) FROM pg_stat_replication),
  current_setting('server_version_num')::int,
  current_user::text,
  EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)::text`;

/** What an index is worth as a replica identity: `none`, `invalid`, `deferrable` or `ok`. */
const indexState = (
  where: string,
): string => `coalesce((SELECT CASE WHEN NOT i.indisvalid OR NOT i.indisready THEN 'invalid'
    WHEN NOT i.indimmediate THEN 'deferrable' ELSE 'ok' END
  FROM pg_index i WHERE i.indrelid = c.oid AND ${where} LIMIT 1), 'none')`;

/**
 * `$1` = relation oid -> one row per relation a publication of it includes (published with
 * `ONLY`): the relation itself, and for a partitioned table each leaf partition (their own
 * UPDATE/DELETE need their own replica identity). Columns: oid, schema, name, relkind,
 * relpersistence, relreplident, primary key state, replica identity index state (see indexState),
 * identity columns (JSON). The relation itself comes first.
 */
export const PUBLISHED_RELATIONS_SQL = `SELECT c.oid::int8::text, n.nspname::text, c.relname::text, c.relkind::text,
  c.relpersistence::text, c.relreplident::text,
  ${indexState('i.indisprimary')},
  ${indexState('i.indisreplident')},
  (SELECT coalesce(json_agg(a.attname::text ORDER BY a.attnum), '[]'::json)
     FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
    WHERE i.indrelid = c.oid AND (CASE c.relreplident WHEN 'i' THEN i.indisreplident ELSE i.indisprimary END))::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = $1::oid
   OR c.oid IN (SELECT t.relid FROM pg_partition_tree($1::oid::regclass) t WHERE t.isleaf AND t.relid <> $1::oid::regclass)
ORDER BY c.oid <> $1::oid, n.nspname, c.relname`;

/** `$1` = publication name -> oid of each table it lists (none for a FOR ALL TABLES publication). */
export const PUBLICATION_MEMBERS_SQL = `SELECT r.prrelid::int8::text FROM pg_publication p JOIN pg_publication_rel r ON r.prpubid = p.oid
WHERE p.pubname = $1 ORDER BY r.prrelid`;

/** `$1` = publication name -> owner is current user, all tables, via partition root. */
export const PUBLICATION_SQL = `SELECT pg_get_userbyid(p.pubowner) = current_user, p.puballtables, p.pubviaroot
FROM pg_publication p WHERE p.pubname = $1`;

/** `$1` = publication name, `$2` = relation oid -> a row when the relation is published by it. */
export const PUBLISHED_SQL = `SELECT 1 FROM pg_publication p
WHERE p.pubname = $1 AND (p.puballtables OR EXISTS (SELECT 1 FROM pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid = $2::oid))`;

/** `$1` = relation oid -> `pg_attribute.atttypid` of each column, in column order. */
export const ATTRIBUTE_TYPES_SQL = `SELECT a.attname::text, a.atttypid::int8::text FROM pg_attribute a
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;
