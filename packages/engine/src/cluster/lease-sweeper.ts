import type pg from 'pg';
import { quoteIdent } from '@rapidbyte/sdk/postgres';
import { tableIn } from '../state/postgres-sql.js';
import { CLUSTER_APPLICATION, CLUSTER_DBOS_SCHEMA, RUNS_QUEUE, workerLeaseKey } from './cluster-schema.js';
import { decideLostWorkers, type WorkerSighting } from './decide-lost-workers.js';

export interface LeaseSweeperOptions {
  readonly schema: string;
  readonly self: string;
  readonly leaseTimeoutMs: number;
  readonly sweepMs: number;
  readonly log: (level: 'info' | 'warn', message: string) => void;
}

/** What one sweep did: the workers it found lost and how many workflows it put back on their queues. */
export interface SweepOutcome {
  readonly workerId: string;
  readonly reason: string;
  readonly requeued: number;
}

/**
 * A survivor's sweep: finds lost workers ({@link decideLostWorkers}) and puts their PENDING DBOS
 * workflows back on their queues, where any worker takes them (open-source DBOS recovers a
 * process's work only when the same executor id starts again). A worker that stopped beating but
 * keeps its session open has that session terminated first, which also frees its lease lock. The
 * re-enqueue runs while the sweeper holds the dead worker's lease lock, and is conditional
 * (`status = 'PENDING' AND executor_id = dead`): two survivors never both put a workflow back.
 */
export class LeaseSweeper {
  readonly #client: pg.Client;
  readonly #options: LeaseSweeperOptions;
  readonly #workers: string;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;

  constructor(client: pg.Client, options: LeaseSweeperOptions) {
    this.#client = client;
    this.#options = options;
    this.#workers = tableIn(options.schema, 'cluster_workers');
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#sweeping ??= this.sweep()
        .then(() => undefined)
        .catch((error: unknown) =>
          this.#options.log('warn', `lease sweep failed: ${error instanceof Error ? error.message : String(error)}`),
        )
        .finally(() => {
          this.#sweeping = undefined;
        });
    }, this.#options.sweepMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sweeping;
  }

  /** One sweep (also called by tests). */
  async sweep(): Promise<SweepOutcome[]> {
    const { schema, self, leaseTimeoutMs } = this.#options;
    // A bigint advisory key shows in pg_locks as classid = its high 32 bits, objid = its low 32 bits, objsubid = 1.
    const seen = await this.#client.query<{
      worker_id: string;
      status: WorkerSighting['status'];
      age_ms: number;
      held: boolean;
      backend_pid: number;
      host: string;
      pid: number;
    }>(
      `SELECT w.worker_id, w.status, w.backend_pid, w.host, w.pid,
         (EXTRACT(EPOCH FROM (now() - w.heartbeat_at)) * 1000)::float8 AS age_ms,
         EXISTS (SELECT 1 FROM pg_locks l, (SELECT hashtext($1 || w.worker_id)::bigint AS k) key
           WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND l.classid = ((key.k >> 32) & 4294967295)::oid AND l.objid = (key.k & 4294967295)::oid) AS held
       FROM ${this.#workers} w WHERE w.status <> 'stopped'`,
      [workerLeaseKey(schema, '')],
    );
    const sightings = seen.rows.map((r) => ({
      workerId: r.worker_id,
      status: r.status,
      heartbeatAgeMs: r.age_ms,
      leaseHeld: r.held,
    }));
    const outcomes: SweepOutcome[] = [];
    for (const decision of decideLostWorkers(sightings, { self, leaseTimeoutMs })) {
      const row = seen.rows.find((r) => r.worker_id === decision.workerId);
      if (decision.action === 'terminate' && row) {
        this.#options.log('warn', `worker ${decision.workerId}: ${decision.reason}: ending its lease session`);
        await this.#client.query('SELECT pg_terminate_backend($1)', [row.backend_pid]);
        // its coordinators' pipeline locks are sessions of their own: ended too, or a re-run
        // coordinator would find its pipeline locked for as long as the stopped process lives
        await this.#client.query(
          `SELECT pg_terminate_backend(l.pid)
             FROM ${tableIn(schema, 'pipeline_locks')} p,
                  LATERAL (SELECT hashtext('rapidbyte:' || $3 || ':' || p.pipeline)::bigint AS k) key, pg_locks l
            WHERE p.host = $1 AND p.pid = $2 AND l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid = ((key.k >> 32) & 4294967295)::oid AND l.objid = (key.k & 4294967295)::oid`,
          [row.host, row.pid, schema],
        );
      }
      const requeued = await this.#reclaim(decision.workerId, decision.reason);
      if (requeued !== undefined) outcomes.push({ workerId: decision.workerId, reason: decision.reason, requeued });
    }
    return outcomes;
  }

  /** Marks a worker lost and re-enqueues its PENDING workflows; undefined when its lease is still held. */
  async #reclaim(workerId: string, reason: string): Promise<number | undefined> {
    const key = workerLeaseKey(this.#options.schema, workerId);
    // a terminated session frees its lock a moment later: a few tries
    let got = false;
    for (let i = 0; i < 10 && !got; i++) {
      got =
        (await this.#client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key])).rows[0]
          ?.ok === true;
      if (!got) await new Promise((r) => setTimeout(r, 100));
    }
    if (!got) return undefined;
    try {
      const marked = await this.#client.query(
        `UPDATE ${this.#workers} SET status = 'lost', lost_at = now(), lost_reason = $2 WHERE worker_id = $1 AND status = 'live'`,
        [workerId, reason],
      );
      const requeued = await this.#client.query<{ workflow_uuid: string }>(
        `UPDATE ${quoteIdent(CLUSTER_DBOS_SCHEMA)}.workflow_status
           SET started_at_epoch_ms = NULL, status = 'ENQUEUED', owner_xid = NULL,
               updated_at = (EXTRACT(EPOCH FROM now()) * 1000)::bigint, queue_name = COALESCE(queue_name, $3)
         WHERE status = 'PENDING' AND executor_id = $1 AND (application_name = $2 OR application_name IS NULL)
         RETURNING workflow_uuid`,
        [workerId, CLUSTER_APPLICATION, RUNS_QUEUE],
      );
      if ((marked.rowCount ?? 0) > 0 || requeued.rows.length > 0)
        this.#options.log(
          'warn',
          `worker ${workerId} lost (${reason}): ${requeued.rows.length} workflow(s) put back on their queues`,
        );
      return requeued.rows.length;
    } finally {
      await this.#client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
    }
  }
}
