/** Server settings and the user's rights for logical replication -> one row. */
export const REPLICATION_SETTINGS_SQL = `SELECT current_setting('wal_level'),
  (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user)::text,
  current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots),
  current_setting('max_wal_senders')::int - (SELECT count(*) FROM pg_stat_replication),
  current_setting('server_version_num')::int,
  current_user::text`;

/** `$1` = relation oid -> replica identity, relkind, has a primary key, has a replica identity index, identity columns (JSON). */
export const REPLICA_IDENTITY_SQL = `SELECT c.relreplident::text, c.relkind::text,
  EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)::text,
  EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)::text,
  (SELECT coalesce(json_agg(a.attname::text ORDER BY a.attnum), '[]'::json)
     FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
    WHERE i.indrelid = c.oid AND (CASE c.relreplident WHEN 'i' THEN i.indisreplident ELSE i.indisprimary END))::text
FROM pg_class c WHERE c.oid = $1::oid`;

/** `$1` = publication name -> owner is current user, all tables, via partition root. */
export const PUBLICATION_SQL = `SELECT pg_get_userbyid(p.pubowner) = current_user, p.puballtables, p.pubviaroot
FROM pg_publication p WHERE p.pubname = $1`;

/** `$1` = publication name, `$2` = relation oid -> a row when the relation is published by it. */
export const PUBLISHED_SQL = `SELECT 1 FROM pg_publication p
WHERE p.pubname = $1 AND (p.puballtables OR EXISTS (SELECT 1 FROM pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid = $2::oid))`;

/** `$1` = relation oid -> `pg_attribute.atttypid` of each column, in column order. */
export const ATTRIBUTE_TYPES_SQL = `SELECT a.attname::text, a.atttypid::int8::text FROM pg_attribute a
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;
