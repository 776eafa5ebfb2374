import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { tableIn } from './postgres-sql.js';
import { StateError } from './state-error.js';
import type { PipelineLockHolder } from './state-records.js';
import type { ReleasePipelineLock } from './state-store.js';

interface LockRow { pipeline: string; pid: number; host: string; acquired_at: string; heartbeat_at: string }

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
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [pipelineLockKey(this.#schema, pipeline)]);
      if (got.rows[0]?.ok !== true) {
        const row = (await client.query<LockRow>(`SELECT * FROM ${this.#table} WHERE pipeline = $1`, [pipeline])).rows[0];
        throw lockedError(pipeline, row);
      }
      // Holding the advisory lock, any existing row is a leftover of a holder that died: replace it.
      const at = this.#now().toISOString();
      await client.query(
        `INSERT INTO ${this.#table} (pipeline, token, pid, host, acquired_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (pipeline) DO UPDATE SET token = excluded.token, pid = excluded.pid, host = excluded.host,
           acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
        [pipeline, token, holder.pid, holder.host, at]);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }

    let released: Promise<void> | undefined;
    const release: ReleasePipelineLock = () => {
      released ??= (async () => {
        this.#held.delete(token);
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
    return release;
  }

  /** Releases every lock this store holds. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.#held.values()].map((release) => release()));
  }
}

function lockedError(pipeline: string, row: LockRow | undefined): StateError {
  if (row === undefined) {
    return new StateError('PIPELINE_LOCKED', `pipeline "${pipeline}" is already running (its holder is still starting); wait for it to finish or stop that process`,
      { details: { pipeline } });
  }
  return new StateError(
    'PIPELINE_LOCKED',
    `pipeline "${pipeline}" is already running: locked by pid ${row.pid} on host ${row.host} since ${row.acquired_at}; wait for it to finish or stop that process`,
    { details: { pipeline, pid: row.pid, host: row.host, since: row.acquired_at } },
  );
}
