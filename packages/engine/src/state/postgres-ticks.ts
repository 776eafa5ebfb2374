import type pg from 'pg';
import { tableIn } from './postgres-sql.js';
import { tickFromRow } from './sqlite-ticks.js';
import type { NewTick, TickRecord } from './tick-outcome.js';

/** The schedule tick log in Postgres. */
export class PostgresTicks {
  readonly #pool: pg.Pool;
  readonly #now: () => Date;
  readonly #table: string;

  constructor(pool: pg.Pool, schema: string, now: () => Date) {
    this.#pool = pool;
    this.#now = now;
    this.#table = tableIn(schema, 'schedule_ticks');
  }

  async recordTick(tick: NewTick): Promise<number> {
    const r = await this.#pool.query<{ id: string }>(
      `INSERT INTO ${this.#table} (pipeline, tick_at, outcome, reason, run_id, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [tick.pipeline, tick.tickAt, tick.outcome, tick.reason ?? null, tick.runId ?? null, this.#now().toISOString()],
    );
    return Number(r.rows[0]?.id);
  }

  async listTicks(options: { pipeline?: string; limit?: number } = {}): Promise<TickRecord[]> {
    const r = await this.#pool.query<Parameters<typeof tickFromRow>[0]>(
      `SELECT * FROM ${this.#table} WHERE ($1::text IS NULL OR pipeline = $1) ORDER BY id DESC LIMIT $2`,
      [options.pipeline ?? null, options.limit ?? null],
    );
    return r.rows.map(tickFromRow);
  }
}
