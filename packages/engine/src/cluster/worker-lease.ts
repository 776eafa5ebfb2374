import pg from 'pg';
import { tableIn } from '../state/postgres-sql.js';
import { workerLeaseKey } from './cluster-schema.js';

/** Who a worker is, as its heartbeat row says. */
export interface WorkerIdentity {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  readonly slots: number;
  readonly version: string;
}

/** A worker id already held by a live process. */
export class WorkerIdInUse extends Error {
  readonly kind = 'permanent' as const;
  readonly code = 'CONFIG_INVALID';
}

/**
 * A worker's lease: a session advisory lock on a connection of its own (Postgres frees it when
 * the process dies, also on kill -9) plus a heartbeat row updated through that same connection.
 * The lock alone cannot tell a stopped process (SIGSTOP, a hung machine) from a live one — its
 * session stays open — so survivors also watch the heartbeat and end the session of a worker
 * that stopped beating. The lease is lost when the connection fails or the row says `lost`:
 * `onLost` is called once, and the worker must stop its chains.
 */
export class WorkerLease {
  readonly #client: pg.Client;
  readonly #table: string;
  readonly #workerId: string;
  readonly #timer: NodeJS.Timeout;
  #lost = false;
  #released = false;

  private constructor(
    client: pg.Client,
    table: string,
    workerId: string,
    heartbeatMs: number,
    onLost: (why: string) => void,
  ) {
    this.#client = client;
    this.#table = table;
    this.#workerId = workerId;
    const lose = (why: string): void => {
      if (this.#lost || this.#released) return;
      this.#lost = true;
      clearInterval(this.#timer);
      onLost(why);
    };
    client.on('error', (error: Error) => lose(`its lease connection failed (${error.message})`));
    client.on('end', () => lose('its lease connection ended'));
    this.#timer = setInterval(() => {
      client
        .query<{ status: string }>(`UPDATE ${table} SET heartbeat_at = now() WHERE worker_id = $1 RETURNING status`, [
          workerId,
        ])
        .then((r) => {
          if (r.rows[0]?.status !== 'live')
            lose('another worker marked it lost (no heartbeat within the lease timeout)');
        })
        .catch((error: unknown) =>
          lose(`its heartbeat failed (${error instanceof Error ? error.message : String(error)})`),
        );
    }, heartbeatMs);
    this.#timer.unref();
  }

  /** Takes the lease of `identity.workerId` (refused while another live process holds it) and starts heartbeating. */
  static async acquire(
    url: string,
    schema: string,
    identity: WorkerIdentity,
    options: { readonly heartbeatMs: number; readonly onLost: (why: string) => void },
  ): Promise<WorkerLease> {
    const client = new pg.Client({ connectionString: url, application_name: `rapidbyte-worker:${identity.workerId}` });
    await client.connect();
    const table = tableIn(schema, 'cluster_workers');
    try {
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
        workerLeaseKey(schema, identity.workerId),
      ]);
      if (got.rows[0]?.ok !== true) {
        const row = (
          await client.query<{ host: string; pid: number }>(`SELECT host, pid FROM ${table} WHERE worker_id = $1`, [
            identity.workerId,
          ])
        ).rows[0];
        throw new WorkerIdInUse(
          `worker id '${identity.workerId}' is in use by a live worker${row ? ` (pid ${row.pid} on host ${row.host})` : ''}: pick another --worker-id`,
        );
      }
      await client.query(
        `INSERT INTO ${table} (worker_id, host, pid, slots, backend_pid, version, started_at, heartbeat_at, status)
         VALUES ($1, $2, $3, $4, pg_backend_pid(), $5, now(), now(), 'live')
         ON CONFLICT (worker_id) DO UPDATE SET host = excluded.host, pid = excluded.pid, slots = excluded.slots,
           backend_pid = excluded.backend_pid, version = excluded.version, started_at = excluded.started_at,
           heartbeat_at = excluded.heartbeat_at, status = 'live', lost_at = NULL, lost_reason = NULL`,
        [identity.workerId, identity.host, identity.pid, identity.slots, identity.version],
      );
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return new WorkerLease(client, table, identity.workerId, options.heartbeatMs, options.onLost);
  }

  get lost(): boolean {
    return this.#lost;
  }

  /**
   * Frees the lease. The worker is marked `stopped` (it holds no work), or with `handOver` `lost`:
   * it stopped work part-way (drained to a checkpoint) and the survivors put it back on the queues.
   */
  async release(options: { readonly handOver?: boolean } = {}): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    if (!this.#lost)
      await this.#client
        .query(
          options.handOver === true
            ? `UPDATE ${this.#table} SET status = 'lost', lost_at = now(), lost_reason = 'stopped part-way: its work is handed over' WHERE worker_id = $1 AND status = 'live'`
            : `UPDATE ${this.#table} SET status = 'stopped' WHERE worker_id = $1 AND status = 'live'`,
          [this.#workerId],
        )
        .catch(() => undefined);
    await this.#client.end().catch(() => undefined);
  }
}
