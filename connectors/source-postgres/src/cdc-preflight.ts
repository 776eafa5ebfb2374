import { ConnectorError, pg, type ErrorCode, type Step } from '@rapidbyte/sdk';
import { quoteIdent } from '@rapidbyte/sdk/postgres';
import {
  PUBLICATION_MEMBERS_SQL,
  PUBLICATION_SQL,
  PUBLISHED_RELATIONS_SQL,
  REPLICATION_SETTINGS_SQL,
} from './cdc-preflight-sql.js';
import {
  cdcTableRefusal,
  publishedMemberProblem,
  type IndexState,
  type PublishedRelation,
} from './cdc-table-refusal.js';

/** One preflight finding: a check name, whether it passed, and what to do. */
export interface PreflightItem {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
  /** Stable error code when it failed. */
  readonly code?: ErrorCode;
}

/** The pipeline source's slot and publication, and whether this stream needs a slot of its own. */
export interface PreflightTarget {
  readonly slot: string;
  readonly publication: string;
  /**
   * The stream has no committed LSN, so it is snapshotted: through the pipeline's slot when that
   * is created now, else through a temporary slot. A stream that resumes needs no slot beyond the
   * pipeline's existing one.
   */
  readonly snapshot: boolean;
}

/**
 * Server-level checks of logical replication: wal_level, REPLICATION privilege, a free slot when
 * one will be created (the pipeline's own slot when it does not exist yet, or a temporary slot for
 * a snapshot), free WAL senders, the server version and publication ownership.
 */
export function* serverPreflight(conn: number, target: PreflightTarget): Step<PreflightItem[]> {
  const { publication } = target;
  const row = (yield* pg.query(conn, REPLICATION_SETTINGS_SQL, [target.slot])).rows[0] ?? [];
  const [walLevel, canReplicate, freeSlots, freeSenders, versionNum, user, slotExists] = row;
  const items: PreflightItem[] = [];
  items.push(
    walLevel === 'logical'
      ? { name: 'wal_level', ok: true, message: 'logical' }
      : {
          name: 'wal_level',
          ok: false,
          code: 'WAL_LEVEL',
          message: `wal_level is ${walLevel}; CDC needs wal_level = logical (ALTER SYSTEM SET wal_level = logical; then restart the server)`,
        },
  );
  items.push(
    canReplicate === 'true' || canReplicate === 't'
      ? { name: 'replication_privilege', ok: true, message: `${user} may replicate` }
      : {
          name: 'replication_privilege',
          ok: false,
          code: 'NO_REPLICATION_PRIVILEGE',
          message: `role ${user} lacks the REPLICATION attribute (ALTER ROLE ${quoteIdent(user ?? '')} REPLICATION)`,
        },
  );
  const slots = Number(freeSlots);
  const senders = Number(freeSenders);
  const exists = slotExists === 'true' || slotExists === 't';
  // the slot exists: a resuming stream reads through it and needs no free one
  const needed = !exists || target.snapshot;
  items.push(
    slots > 0 || !needed
      ? {
          name: 'replication_slots',
          ok: true,
          message: exists ? `slot ${target.slot} exists; ${slots} free` : `${slots} free`,
        }
      : {
          name: 'replication_slots',
          ok: false,
          code: 'NO_FREE_SLOT',
          message: exists
            ? `no free replication slot for the temporary slot that snapshots this stream (raise max_replication_slots or drop an unused slot)`
            : `no free replication slot for slot ${target.slot} (raise max_replication_slots or drop an unused slot)`,
        },
  );
  items.push(
    senders > 0
      ? { name: 'wal_senders', ok: true, message: `${senders} free` }
      : {
          name: 'wal_senders',
          ok: false,
          code: 'NO_FREE_WAL_SENDER',
          message: 'no free WAL sender (raise max_wal_senders)',
        },
  );
  if (Number(versionNum) < 140000) {
    items.push({
      name: 'server_version',
      ok: false,
      code: 'SERVER_TOO_OLD',
      message: `CDC needs PostgreSQL 14 or newer (binary pgoutput); this server is ${versionNum}`,
    });
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
    items.push({
      name: 'publication',
      ok: true,
      message: pub ? `${publication} exists` : `${publication} will be created`,
    });
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
 * Refuses, before anything is published, a relation CDC cannot stream (a view, an unlogged table)
 * and one whose UPDATE/DELETE would fail once published (no usable replica identity — also of any
 * partition of a partitioned table), naming the fix. Returns the table's replica identity.
 */
export function* checkCdcTable(conn: number, stream: string, oid: string): Step<ReplicaIdentity> {
  const rows = (yield* pg.query(conn, PUBLISHED_RELATIONS_SQL, [oid])).rows;
  const relations = publishedRelations(rows);
  const refusal = cdcTableRefusal(stream, relations);
  if (refusal) throw ConnectorError.permanent(refusal.code, refusal.message, { stream });
  const root = relations[0];
  const kind = root?.replicaIdentity ?? 'd';
  return {
    kind,
    relkind: root?.relkind ?? 'r',
    columns: kind === 'f' ? [] : (JSON.parse(rows[0]?.[8] ?? '[]') as string[]),
  };
}

/**
 * Tables the publication already lists (other than `skip`, the oids of the CDC streams, checked on
 * their own) whose UPDATE/DELETE fail now for want of a replica identity: one message each.
 */
export function* brokenPublicationMembers(
  conn: number,
  publication: string,
  skip: ReadonlySet<string>,
): Step<string[]> {
  const problems: string[] = [];
  for (const [oid] of (yield* pg.query(conn, PUBLICATION_MEMBERS_SQL, [publication])).rows) {
    if (oid === undefined || skip.has(oid)) continue;
    const problem = publishedMemberProblem(
      publication,
      publishedRelations((yield* pg.query(conn, PUBLISHED_RELATIONS_SQL, [oid])).rows),
    );
    if (problem) problems.push(problem);
  }
  return problems;
}

function publishedRelations(rows: readonly (readonly (string | undefined)[])[]): PublishedRelation[] {
  return rows.map((r) => ({
    schema: r[1] ?? '',
    name: r[2] ?? '',
    relkind: r[3] ?? 'r',
    persistence: r[4] ?? 'p',
    replicaIdentity: r[5] ?? 'd',
    primaryKey: (r[6] ?? 'none') as IndexState,
    identityIndex: (r[7] ?? 'none') as IndexState,
  }));
}
