import type pg from 'pg';
import { cdcError } from './cdc-error.js';
import type { CreatedSlot, ReplicationConnection } from './replication-connection.js';

/** How long creating a slot may wait for open transactions unless configured. */
export const DEFAULT_SLOT_CREATE_TIMEOUT_MS = 5 * 60_000;
/** How often a waiting slot creation looks for what it waits on. */
const POLL_MS = 1000;
/** How often the wait is reported while it lasts. */
const REPORT_EVERY_MS = 10_000;

/** A source session whose open transaction holds up slot creation (a row of pg_stat_activity). */
export interface SlotBlocker {
  readonly pid: number;
  readonly applicationName: string;
  readonly user: string;
  readonly database: string;
  readonly state: string;
  /** Seconds since its transaction began. */
  readonly ageSeconds: number;
  readonly query: string;
}

/**
 * The sessions the walsender waits on. Creating a logical slot waits until every transaction that
 * was running when it started has ended (it takes a lock on each one's transaction id), so these
 * are the open transactions of the whole server, in any database.
 */
const BLOCKERS_SQL = `SELECT a.pid, coalesce(a.application_name, '') AS application_name, coalesce(a.usename::text, '') AS usename,
  coalesce(a.datname::text, '') AS datname, coalesce(a.state, '') AS state,
  coalesce(extract(epoch FROM now() - a.xact_start), 0)::int AS age, left(coalesce(a.query, ''), 200) AS query
FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids($1)) ORDER BY a.xact_start`;

/** `pid 123 (application_name "x", user u, database d, idle in transaction for 42 s, last query: …)`, per blocker. */
export function describeBlockers(blockers: readonly SlotBlocker[]): string {
  return blockers
    .map((b) => {
      const query = b.query.replace(/\s+/g, ' ').trim();
      return (
        `pid ${b.pid} (application_name ${JSON.stringify(b.applicationName)}, user ${b.user}, database ${b.database}, ` +
        `${b.state || 'in a transaction'} for ${b.ageSeconds} s${query ? `, last query: ${query}` : ''})`
      );
    })
    .join('; ');
}

export interface SlotCreationWatch {
  readonly repl: ReplicationConnection;
  /**
   * One query on a plain connection to the source (to look at pg_stat_activity while the
   * walsender waits); the hub's, which runs its queries one after another.
   */
  readonly query: (text: string, values: unknown[]) => Promise<pg.QueryResult>;
  readonly slot: string;
  readonly temporary: boolean;
  readonly timeoutMs: number;
  /** For messages: the stream the slot is created for, and the pipeline source's slot. */
  readonly stream: string;
  readonly log: (level: 'warn', message: string) => void;
}

/**
 * CREATE_REPLICATION_SLOT, watched: while it waits for open source transactions, it reports every
 * `REPORT_EVERY_MS` which sessions it waits on (pid, age, application_name, query); after
 * `timeoutMs` it cancels the creation (nothing is left behind: a slot being created is dropped when
 * its creation fails) and fails with the permanent `SLOT_CREATE_TIMEOUT` naming them. Without this
 * a first CDC run waits silently for as long as any transaction stays open.
 */
export async function createSlotWatched(watch: SlotCreationWatch): Promise<CreatedSlot> {
  const started = Date.now();
  let settled = false;
  const creating = watch.repl.createSlot(watch.slot, watch.temporary).finally(() => {
    settled = true;
  });
  const settledOrTick = (): Promise<unknown> =>
    Promise.race([creating.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, POLL_MS).unref())]);
  let blockers: SlotBlocker[] = [];
  let reportedAt = 0;
  let cancelled = false;
  await settledOrTick();
  while (!settled) {
    blockers = await findBlockers(watch.query, watch.repl.pid).catch(() => blockers);
    const waited = Date.now() - started;
    if (waited >= watch.timeoutMs) {
      cancelled = true;
      await watch.query('SELECT pg_cancel_backend($1)', [watch.repl.pid]).catch(() => undefined);
      break;
    }
    if (reportedAt === 0 || Date.now() - reportedAt >= REPORT_EVERY_MS) {
      reportedAt = Date.now();
      watch.log(
        'warn',
        `${watch.stream}: creating replication slot "${watch.slot}" has waited ${Math.round(waited / 1000)} s for open transactions on the source to end: ` +
          `${blockers.length > 0 ? describeBlockers(blockers) : 'no blocking session found yet'}. It gives up after ${Math.round(watch.timeoutMs / 1000)} s (source.config.cdc.slot_create_timeout_ms).`,
      );
    }
    await settledOrTick();
  }
  try {
    return await creating;
  } catch (error) {
    if (!cancelled) throw error;
    throw cdcError(
      'SLOT_CREATE_TIMEOUT',
      `${watch.stream}: creating replication slot "${watch.slot}" waited ${Math.round(watch.timeoutMs / 1000)} s (source.config.cdc.slot_create_timeout_ms) ` +
        `for open transactions on the source to end and gave up: ${blockers.length > 0 ? describeBlockers(blockers) : 'no blocking session was found'}. ` +
        `A logical slot can only be created once every transaction that was open when it started has ended: commit or end those sessions ` +
        `(SELECT pg_terminate_backend(pid)), or raise slot_create_timeout_ms, and run again.`,
      watch.stream,
    );
  }
}

type BlockerRow = {
  pid: number;
  application_name: string;
  usename: string;
  datname: string;
  state: string;
  age: number;
  query: string;
};

async function findBlockers(query: SlotCreationWatch['query'], pid: number): Promise<SlotBlocker[]> {
  const r = await query(BLOCKERS_SQL, [pid]);
  return (r.rows as BlockerRow[]).map((row) => ({
    pid: row.pid,
    applicationName: row.application_name,
    user: row.usename,
    database: row.datname,
    state: row.state,
    ageSeconds: row.age,
    query: row.query,
  }));
}
