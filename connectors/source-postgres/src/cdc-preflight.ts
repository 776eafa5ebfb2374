import { ConnectorError, pg, type Step } from '@rapidbyte/sdk';
import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';
import { PUBLICATION_SQL, REPLICA_IDENTITY_SQL, REPLICATION_SETTINGS_SQL } from './cdc-preflight-sql.js';

/** One preflight finding: a check name, whether it passed, and what to do. */
export interface PreflightItem {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
  /** Stable error code when it failed. */
  readonly code?: string;
}

/** Server-level checks of logical replication: wal_level, REPLICATION privilege, free slots and WAL senders. */
export function* serverPreflight(conn: number, publication: string): Step<PreflightItem[]> {
  const row = (yield* pg.query(conn, REPLICATION_SETTINGS_SQL)).rows[0] ?? [];
  const [walLevel, canReplicate, freeSlots, freeSenders, versionNum, user] = row;
  const items: PreflightItem[] = [];
  items.push(
    walLevel === 'logical'
      ? { name: 'wal_level', ok: true, message: 'logical' }
      : { name: 'wal_level', ok: false, code: 'WAL_LEVEL', message: `wal_level is ${walLevel}; CDC needs wal_level = logical (ALTER SYSTEM SET wal_level = logical; then restart the server)` },
  );
  items.push(
    canReplicate === 'true' || canReplicate === 't'
      ? { name: 'replication_privilege', ok: true, message: `${user} may replicate` }
      : { name: 'replication_privilege', ok: false, code: 'NO_REPLICATION_PRIVILEGE', message: `role ${user} lacks the REPLICATION attribute (ALTER ROLE ${quoteIdent(user ?? '')} REPLICATION)` },
  );
  const slots = Number(freeSlots);
  const senders = Number(freeSenders);
  items.push(
    slots > 0
      ? { name: 'replication_slots', ok: true, message: `${slots} free` }
      : { name: 'replication_slots', ok: false, code: 'NO_FREE_SLOT', message: 'no free replication slot (raise max_replication_slots or drop an unused slot)' },
  );
  items.push(
    senders > 0
      ? { name: 'wal_senders', ok: true, message: `${senders} free` }
      : { name: 'wal_senders', ok: false, code: 'NO_FREE_WAL_SENDER', message: 'no free WAL sender (raise max_wal_senders)' },
  );
  if (Number(versionNum) < 140000) {
    items.push({ name: 'server_version', ok: false, code: 'SERVER_TOO_OLD', message: `CDC needs PostgreSQL 14 or newer (binary pgoutput); this server is ${versionNum}` });
  }
  const pub = (yield* pg.query(conn, PUBLICATION_SQL, [publication])).rows[0];
  if (pub && pub[0] !== 'true' && pub[0] !== 't' && pub[1] !== 'true' && pub[1] !== 't') {
    items.push({
      name: 'publication',
      ok: false,
      code: 'PUBLICATION_NOT_OWNED',
      message: `publication ${quoteIdent(publication)} exists but belongs to another role, so tables cannot be added to it (ALTER PUBLICATION ${quoteIdent(publication)} OWNER TO ${quoteIdent(user ?? '')}, or set cdc.publication_name)`,
    });
  } else {
    items.push({ name: 'publication', ok: true, message: pub ? `${publication} exists` : `${publication} will be created` });
  }
  return items;
}

/** The relation's replica identity, and the columns it identifies rows by. */
export interface ReplicaIdentity {
  /** `d` default (primary key), `f` full, `i` index, `n` nothing. */
  readonly kind: string;
  readonly relkind: string;
  readonly columns: readonly string[];
}

/**
 * Refuses a table whose UPDATE/DELETE would fail once published (no primary key and no replica
 * identity), before it is added to a publication, naming the fix.
 */
export function* checkReplicaIdentity(conn: number, stream: string, oid: string, schema: string, table: string): Step<ReplicaIdentity> {
  const row = (yield* pg.query(conn, REPLICA_IDENTITY_SQL, [oid])).rows[0] ?? [];
  const [kind = 'd', relkind = 'r', hasPk, hasIdentIndex, columns] = row;
  const usable = kind === 'f' || (kind === 'd' && hasPk === 'true') || (kind === 'i' && hasIdentIndex === 'true');
  if (!usable) {
    throw ConnectorError.permanent(
      'NO_REPLICA_IDENTITY',
      `${stream}: table ${quoteQualified(schema, table)} has no primary key and no usable replica identity; publishing it would make the application's own UPDATE and DELETE on it fail. ` +
        `Fix it first: ALTER TABLE ${quoteQualified(schema, table)} REPLICA IDENTITY FULL; (or add a primary key)`,
      { stream },
    );
  }
  return { kind, relkind, columns: kind === 'f' ? [] : (JSON.parse(columns ?? '[]') as string[]) };
}
