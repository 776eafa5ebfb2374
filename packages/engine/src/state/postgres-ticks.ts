import type pg from 'pg';
import type { PostgresEventLog } from './postgres-event-log.js';
import { tableIn, withTransaction } from './postgres-sql.js';
import { tickFromRow } from './sqlite-ticks.js';
import { skippedTickEvent, type NewTick, type TickRecord } from './tick-outcome.js';

/** The schedule tick log in Postgres; a skipped tick and its `schedule.skipped` event commit together. */
export class PostgresTicks {
  readonly #pool: pg.Pool;
  readonly #now: () => Date;
  readonly #table: string;
  readonly #events: PostgresEventLog;

  constructor(pool: pg.Pool, schema: string, now: () => Date, events: PostgresEventLog) {
    this.#pool = pool;
    this.#now = now;
    this.#table = tableIn(schema, 'schedule_ticks');
    this.#events = events;
  }

  async recordTick(tick: NewTick): Promise<number> {
    const at = this.#now().toISOString();
    return withTransaction(this.#pool, async (client) => {
      const r = await client.query<{ id: string }>(
        `INSERT INTO ${this.#table} (pipeline, tick_at, outcome, reason, run_id, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [tick.pipeline, tick.tickAt, tick.outcome, tick.reason ?? null, tick.runId ?? null, at],
      );
      const event = skippedTickEvent(tick, at);
      if (event !== undefined) await this.#events.insert(client, event);
      return Number(r.rows[0]?.id);
    });
  }

  async listTicks(options: { pipeline?: string; limit?: number } = {}): Promise<TickRecord[]> {
    const r = await this.#pool.query<Parameters<typeof tickFromRow>[0]>(
      `SELECT * FROM ${this.#table} WHERE ($1::text IS NULL OR pipeline = $1) ORDER BY id DESC LIMIT $2`,
      [options.pipeline ?? null, options.limit ?? null],
    );
    return r.rows.map(tickFromRow);
  }
}
