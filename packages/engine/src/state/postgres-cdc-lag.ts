import type pg from 'pg';
import { CDC_LAG_RETENTION_MS, type CdcLagSample } from './cdc-lag-sample.js';
import { tableIn } from './postgres-sql.js';
import { lagFromRow } from './sqlite-cdc-lag.js';

/** CDC lag samples in Postgres, pruned to {@link CDC_LAG_RETENTION_MS} as they are recorded. */
export class PostgresCdcLag {
  readonly #pool: pg.Pool;
  readonly #now: () => Date;
  readonly #table: string;

  constructor(pool: pg.Pool, schema: string, now: () => Date) {
    this.#pool = pool;
    this.#now = now;
    this.#table = tableIn(schema, 'cdc_lag_samples');
  }

  async record(sample: Omit<CdcLagSample, 'at'>): Promise<void> {
    const now = this.#now();
    const cutoff = new Date(now.getTime() - CDC_LAG_RETENTION_MS).toISOString();
    // one statement: the insert and the prune commit together
    await this.#pool.query(
      `WITH pruned AS (DELETE FROM ${this.#table} WHERE pipeline = $1 AND at < $5)
       INSERT INTO ${this.#table} (pipeline, stream, at, lag_bytes) VALUES ($1, $2, $3, $4)`,
      [sample.pipeline, sample.stream, now.toISOString(), sample.lagBytes, cutoff],
    );
  }

  async list(options: { pipeline: string; since: string }): Promise<CdcLagSample[]> {
    const r = await this.#pool.query<Parameters<typeof lagFromRow>[0]>(
      `SELECT pipeline, stream, at, lag_bytes::text AS lag_bytes FROM ${this.#table} WHERE pipeline = $1 AND at >= $2 ORDER BY at, stream`,
      [options.pipeline, options.since],
    );
    return r.rows.map(lagFromRow);
  }
}
