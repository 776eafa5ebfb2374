import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type Database from 'libsql';
import type { LockLiveness } from './lock-liveness.js';
import { isProcessAlive } from './process-alive.js';
import { StateError } from './state-error.js';
import type { PipelineLockHolder } from './state-records.js';

/** Lock timing: a heartbeat older than `staleAfterMs` lets another process take the lock over. */
export interface PipelineLockOptions {
  /** Default 120 000 ms. */
  staleAfterMs?: number;
  /** How often a held lock's heartbeat is refreshed; default staleAfterMs / 4. 0 disables the timer. */
  heartbeatMs?: number;
  /** Whether a pid on this host is alive; default probes with signal 0. */
  isAlive?: (pid: number) => boolean;
}

interface LockRow {
  pipeline: string;
  token: string;
  pid: number;
  host: string;
  acquired_at: string;
  heartbeat_at: string;
}

/** One run per pipeline at a time, across processes sharing the state DB file. */
export class SqlitePipelineLocks {
  readonly #db: Database.Database;
  readonly #now: () => Date;
  readonly #staleAfterMs: number;
  readonly #heartbeatMs: number;
  readonly #isAlive: (pid: number) => boolean;
  /** Locks this store holds: token → release. */
  readonly #held = new Map<string, () => void>();
  /** The same locks by pipeline: their token and holder (a run begun under one is stamped with it). */
  readonly #byPipeline = new Map<string, { token: string; holder: PipelineLockHolder }>();

  constructor(db: Database.Database, now: () => Date, options: PipelineLockOptions = {}) {
    this.#db = db;
    this.#now = now;
    this.#staleAfterMs = options.staleAfterMs ?? 120_000;
    this.#heartbeatMs = options.heartbeatMs ?? Math.floor(this.#staleAfterMs / 4);
    this.#isAlive = options.isAlive ?? isProcessAlive;
  }

  acquire(pipeline: string, holder: PipelineLockHolder): () => void {
    const token = randomUUID();
    this.#db
      .transaction(() => {
        const now = this.#now();
        const current = this.#db.prepare('SELECT * FROM pipeline_locks WHERE pipeline = ?').get(pipeline) as
          LockRow | undefined;
        if (current !== undefined && this.#goneWhy(current, holder.host, now) === undefined) {
          throw new StateError(
            'PIPELINE_LOCKED',
            `pipeline "${pipeline}" is already running: locked by pid ${current.pid} on host ${current.host} since ${current.acquired_at}` +
              ` (last heartbeat ${current.heartbeat_at}); wait for it to finish or stop that process`,
            {
              details: {
                pipeline,
                pid: current.pid,
                host: current.host,
                since: current.acquired_at,
                heartbeatAt: current.heartbeat_at,
              },
            },
          );
        }
        const at = now.toISOString();
        this.#db
          .prepare(
            `INSERT INTO pipeline_locks (pipeline, token, pid, host, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT (pipeline) DO UPDATE SET token = excluded.token, pid = excluded.pid, host = excluded.host,
            acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
          )
          .run(pipeline, token, holder.pid, holder.host, at, at);
      })
      .immediate();

    const timer =
      this.#heartbeatMs > 0 ? setInterval(() => this.#heartbeat(pipeline, token), this.#heartbeatMs) : undefined;
    timer?.unref();
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      if (timer !== undefined) clearInterval(timer);
      this.#held.delete(token);
      if (this.#byPipeline.get(pipeline)?.token === token) this.#byPipeline.delete(pipeline);
      if (this.#db.open)
        this.#db.prepare('DELETE FROM pipeline_locks WHERE pipeline = ? AND token = ?').run(pipeline, token);
    };
    this.#held.set(token, release);
    this.#byPipeline.set(pipeline, { token, holder: { ...holder } });
    return release;
  }

  /** The lock this store holds on `pipeline`, if any. */
  heldBy(pipeline: string): { token: string; holder: PipelineLockHolder } | undefined {
    return this.#byPipeline.get(pipeline);
  }

  /** Whether `pipeline`'s lock has a live holder, judged from this host as a takeover would be. */
  liveness(pipeline: string): LockLiveness {
    const current = this.#db.prepare('SELECT * FROM pipeline_locks WHERE pipeline = ?').get(pipeline) as
      LockRow | undefined;
    if (current === undefined) return { live: false, why: 'no process holds the pipeline lock' };
    const why = this.#goneWhy(current, hostname(), this.#now());
    return why === undefined
      ? { live: true, token: current.token, pid: current.pid, host: current.host, acquiredAt: current.acquired_at }
      : { live: false, why };
  }

  /** Releases every lock this store holds. */
  releaseAll(): void {
    for (const release of [...this.#held.values()]) release();
  }

  /** Why the lock's holder is gone as seen from `host` (a dead pid there, a stale heartbeat), or undefined while it is live. */
  #goneWhy(current: LockRow, host: string, now: Date): string | undefined {
    if (current.host === host && !this.#isAlive(current.pid))
      return `pid ${current.pid} is no longer running on this host`;
    const heartbeat = Date.parse(current.heartbeat_at);
    if (Number.isNaN(heartbeat) || now.getTime() - heartbeat > this.#staleAfterMs) {
      return `its lock heartbeat stopped at ${current.heartbeat_at} (stale after ${this.#staleAfterMs} ms)`;
    }
    return undefined;
  }

  #heartbeat(pipeline: string, token: string): void {
    try {
      this.#db
        .prepare('UPDATE pipeline_locks SET heartbeat_at = ? WHERE pipeline = ? AND token = ?')
        .run(this.#now().toISOString(), pipeline, token);
    } catch {
      // Busy past busy_timeout or closed: the next tick retries; a missed beat only matters after staleAfterMs.
    }
  }
}
