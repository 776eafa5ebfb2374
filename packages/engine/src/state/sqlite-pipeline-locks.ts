import { randomUUID } from 'node:crypto';
import type Database from 'libsql';
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

interface LockRow { pipeline: string; token: string; pid: number; host: string; acquired_at: string; heartbeat_at: string }

/** One run per pipeline at a time, across processes sharing the state DB file. */
export class SqlitePipelineLocks {
  readonly #db: Database.Database;
  readonly #now: () => Date;
  readonly #staleAfterMs: number;
  readonly #heartbeatMs: number;
  readonly #isAlive: (pid: number) => boolean;
  /** Locks this store holds: token → release. */
  readonly #held = new Map<string, () => void>();

  constructor(db: Database.Database, now: () => Date, options: PipelineLockOptions = {}) {
    this.#db = db;
    this.#now = now;
    this.#staleAfterMs = options.staleAfterMs ?? 120_000;
    this.#heartbeatMs = options.heartbeatMs ?? Math.floor(this.#staleAfterMs / 4);
    this.#isAlive = options.isAlive ?? isProcessAlive;
  }

  acquire(pipeline: string, holder: PipelineLockHolder): () => void {
    const token = randomUUID();
    this.#db.transaction(() => {
      const now = this.#now();
      const current = this.#db.prepare('SELECT * FROM pipeline_locks WHERE pipeline = ?').get(pipeline) as LockRow | undefined;
      if (current !== undefined && !this.#takeable(current, holder, now)) {
        throw new StateError(
          'PIPELINE_LOCKED',
          `pipeline "${pipeline}" is already running: locked by pid ${current.pid} on host ${current.host} since ${current.acquired_at}`
            + ` (last heartbeat ${current.heartbeat_at}); wait for it to finish or stop that process`,
          { details: { pipeline, pid: current.pid, host: current.host, since: current.acquired_at, heartbeatAt: current.heartbeat_at } },
        );
      }
      const at = now.toISOString();
      this.#db
        .prepare(`INSERT INTO pipeline_locks (pipeline, token, pid, host, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT (pipeline) DO UPDATE SET token = excluded.token, pid = excluded.pid, host = excluded.host,
            acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`)
        .run(pipeline, token, holder.pid, holder.host, at, at);
    }).immediate();

    const timer = this.#heartbeatMs > 0 ? setInterval(() => this.#heartbeat(pipeline, token), this.#heartbeatMs) : undefined;
    timer?.unref();
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      if (timer !== undefined) clearInterval(timer);
      this.#held.delete(token);
      if (this.#db.open) this.#db.prepare('DELETE FROM pipeline_locks WHERE pipeline = ? AND token = ?').run(pipeline, token);
    };
    this.#held.set(token, release);
    return release;
  }

  /** Releases every lock this store holds. */
  releaseAll(): void {
    for (const release of [...this.#held.values()]) release();
  }

  #takeable(current: LockRow, holder: PipelineLockHolder, now: Date): boolean {
    if (current.host === holder.host && !this.#isAlive(current.pid)) return true;
    const heartbeat = Date.parse(current.heartbeat_at);
    return Number.isNaN(heartbeat) || now.getTime() - heartbeat > this.#staleAfterMs;
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
