import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { LockLiveness } from './lock-liveness.js';
import { tableIn, type PgQueryable } from './postgres-sql.js';
import { StateError } from './state-error.js';
import type { PipelineLockHolder } from './state-records.js';
import type { ReleasePipelineLock } from './state-store.js';

interface LockRow {
  pipeline: string;
  token: string;
  pid: number;
  host: string;
  acquired_at: string;
  heartbeat_at: string;
}

/** The text whose `hashtext` keys a pipeline's session advisory lock (schema-qualified, so two state schemas never collide). */
export function pipelineLockKey(schema: string, pipeline: string): string {
  return `rapidbyte:${schema}:${pipeline}`;
}

/**
 * One run per pipeline at a time, across every engine sharing the state DB. The lock is a
 * session-level `pg_try_advisory_lock` on a connection dedicated to it and held for the run:
 * Postgres frees it when that connection ends, also when the process is killed, so a crashed
 * run never blocks the next one. A `pipeline_locks` row names the holder for the refusal message.
 */
export class PostgresPipelineLocks {
  readonly #connect: () => Promise<pg.Client>;
  readonly #schema: string;
  readonly #table: string;
  readonly #now: () => Date;
  /** Locks this store holds: token → release. */
  readonly #held = new Map<string, ReleasePipelineLock>();
  /** The same locks by pipeline: their token and holder (a run begun under one is stamped with it). */
  readonly #byPipeline = new Map<string, { token: string; holder: PipelineLockHolder }>();

  /** @param connect opens a new dedicated connection (not from the pool) */
  constructor(connect: () => Promise<pg.Client>, schema: string, now: () => Date) {
    this.#connect = connect;
    this.#schema = schema;
    this.#table = tableIn(schema, 'pipeline_locks');
    this.#now = now;
  }

  async acquire(pipeline: string, holder: PipelineLockHolder): Promise<ReleasePipelineLock> {
    const client = await this.#connect();
    client.on('error', () => undefined); // a lost connection frees the lock; the next query reports it
    const token = randomUUID();
    try {
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
        pipelineLockKey(this.#schema, pipeline),
      ]);
      if (got.rows[0]?.ok !== true) {
        const row = (await client.query<LockRow>(`SELECT * FROM ${this.#table} WHERE pipeline = $1`, [pipeline]))
          .rows[0];
        throw lockedError(pipeline, row);
      }
      // Holding the advisory lock, any existing row is a leftover of a holder that died: replace it.
      const at = this.#now().toISOString();
      await client.query(
        `INSERT INTO ${this.#table} (pipeline, token, pid, host, acquired_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (pipeline) DO UPDATE SET token = excluded.token, pid = excluded.pid, host = excluded.host,
           acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
        [pipeline, token, holder.pid, holder.host, at],
      );
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }

    let released: Promise<void> | undefined;
    const release: ReleasePipelineLock = () => {
      released ??= (async () => {
        this.#held.delete(token);
        if (this.#byPipeline.get(pipeline)?.token === token) this.#byPipeline.delete(pipeline);
        try {
          await client.query(`DELETE FROM ${this.#table} WHERE pipeline = $1 AND token = $2`, [pipeline, token]);
        } catch {
          // The connection is gone: so is the advisory lock; the stale row is replaced by the next holder.
        } finally {
          await client.end().catch(() => undefined); // ending the session frees the advisory lock
        }
      })();
      return released;
    };
    this.#held.set(token, release);
    this.#byPipeline.set(pipeline, { token, holder: { ...holder } });
    return release;
  }

  /** The lock this store holds on `pipeline`, if any. */
  heldBy(pipeline: string): { token: string; holder: PipelineLockHolder } | undefined {
    return this.#byPipeline.get(pipeline);
  }

  /**
   * Whether `pipeline`'s lock has a live holder: its advisory lock is granted to some session (it
   * ends with the holder's connection, also on kill -9), and the row names that holder.
   */
  async liveness(db: PgQueryable, pipeline: string): Promise<LockLiveness> {
    // A bigint advisory key shows in pg_locks as classid = its high 32 bits, objid = its low 32 bits, objsubid = 1.
    const held = await db.query<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_locks l, (SELECT hashtext($1)::bigint AS k) key
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.classid = ((key.k >> 32) & 4294967295)::oid AND l.objid = (key.k & 4294967295)::oid) AS held`,
      [pipelineLockKey(this.#schema, pipeline)],
    );
    const row = (await db.query<LockRow>(`SELECT * FROM ${this.#table} WHERE pipeline = $1`, [pipeline])).rows[0];
    if (held.rows[0]?.held !== true) {
      return {
        live: false,
        why:
          row === undefined
            ? 'no process holds the pipeline lock'
            : `its state DB session ended, freeing the pipeline lock (held by pid ${row.pid} on host ${row.host})`,
      };
    }
    // held, but its holder has not named itself yet: a run can only be that holder's if it is newer
    if (row === undefined) return { live: true, token: '', acquiredAt: this.#now().toISOString() };
    return { live: true, token: row.token, pid: row.pid, host: row.host, acquiredAt: row.acquired_at };
  }

  /** Releases every lock this store holds. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.#held.values()].map((release) => release()));
  }
}

function lockedError(pipeline: string, row: LockRow | undefined): StateError {
  if (row === undefined) {
    return new StateError(
      'PIPELINE_LOCKED',
      `pipeline "${pipeline}" is already running (its holder is still starting); wait for it to finish or stop that process`,
      { details: { pipeline } },
    );
  }
  return new StateError(
    'PIPELINE_LOCKED',
    `pipeline "${pipeline}" is already running: locked by pid ${row.pid} on host ${row.host} since ${row.acquired_at}; wait for it to finish or stop that process`,
    { details: { pipeline, pid: row.pid, host: row.host, since: row.acquired_at } },
  );
}
