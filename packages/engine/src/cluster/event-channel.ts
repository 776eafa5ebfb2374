import type pg from 'pg';
import { tableIn } from '../state/postgres-sql.js';

/**
 * Appends events to a channel of the cluster's event table, in batches: `publish` never waits,
 * `flush` writes what is buffered (every `flushMs`, and at the end). Channels are named after the
 * workflow that writes them; readers follow them with {@link EventChannelReader}.
 */
export class EventChannelWriter {
  readonly #db: pg.Pool;
  readonly #table: string;
  readonly #channel: string;
  readonly #timer: NodeJS.Timeout;
  #buffer: unknown[] = [];
  #writing: Promise<void> = Promise.resolve();

  readonly #guard: string;
  readonly #guardParams: string[];

  /**
   * `owner`: the events are written only while the chain's row names this worker (a worker that
   * lost the chain to another writes nothing more to its channel).
   */
  constructor(
    db: pg.Pool,
    schema: string,
    channel: string,
    flushMs = 200,
    owner?: { readonly chainId: string; readonly workerId: string },
  ) {
    this.#db = db;
    this.#table = tableIn(schema, 'cluster_events');
    this.#channel = channel;
    this.#guard = owner
      ? ` WHERE EXISTS (SELECT 1 FROM ${tableIn(schema, 'cluster_chains')} WHERE chain_id = $2 AND worker_id = $3)`
      : ` WHERE $2::text IS NULL AND $3::text IS NULL`;
    this.#guardParams = owner ? [owner.chainId, owner.workerId] : [];
    this.#timer = setInterval(() => void this.flush(), flushMs);
    this.#timer.unref();
  }

  publish(event: unknown): void {
    this.#buffer.push(event);
  }

  /** Writes the buffered events (in order, after the batches before them). */
  flush(): Promise<void> {
    const batch = this.#buffer;
    this.#buffer = [];
    if (batch.length === 0) return this.#writing;
    this.#writing = this.#writing
      .catch(() => undefined)
      .then(async () => {
        const values = batch.map((_, i) => `($1, $${i + 4}::jsonb)`).join(', ');
        const [chainId = null, workerId = null] = this.#guardParams;
        await this.#db.query(
          `INSERT INTO ${this.#table} (channel, event) SELECT * FROM (VALUES ${values}) v${this.#guard}`,
          [this.#channel, chainId, workerId, ...batch.map((e) => JSON.stringify(e))],
        );
      });
    return this.#writing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}

/** Follows a channel from its start: `poll` returns the events written since the last call. */
export class EventChannelReader {
  readonly #db: pg.Pool;
  readonly #table: string;
  readonly #channel: string;
  #after = 0;

  constructor(db: pg.Pool, schema: string, channel: string) {
    this.#db = db;
    this.#table = tableIn(schema, 'cluster_events');
    this.#channel = channel;
  }

  async poll(): Promise<unknown[]> {
    const rows = await this.#db.query<{ seq: string; event: unknown }>(
      `SELECT seq, event FROM ${this.#table} WHERE channel = $1 AND seq > $2 ORDER BY seq LIMIT 5000`,
      [this.#channel, this.#after],
    );
    const last = rows.rows[rows.rows.length - 1];
    if (last) this.#after = Number(last.seq);
    return rows.rows.map((r) => r.event);
  }
}
