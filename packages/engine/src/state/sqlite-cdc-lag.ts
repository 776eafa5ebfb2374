import type Database from 'libsql';
import { CDC_LAG_RETENTION_MS, type CdcLagSample } from './cdc-lag-sample.js';

interface LagRow {
  pipeline: string;
  stream: string;
  at: string;
  lag_bytes: number;
}

/** A row of `cdc_lag_samples` as a {@link CdcLagSample}. */
export function lagFromRow(row: LagRow): CdcLagSample {
  return { pipeline: row.pipeline, stream: row.stream, at: row.at, lagBytes: Number(row.lag_bytes) };
}

/** CDC lag samples in SQLite, pruned to {@link CDC_LAG_RETENTION_MS} as they are recorded. */
export class SqliteCdcLag {
  readonly #db: Database.Database;
  readonly #now: () => Date;

  constructor(db: Database.Database, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  record(sample: Omit<CdcLagSample, 'at'>): void {
    const now = this.#now();
    const cutoff = new Date(now.getTime() - CDC_LAG_RETENTION_MS).toISOString();
    this.#db.transaction(() => {
      this.#db
        .prepare('INSERT INTO cdc_lag_samples (pipeline, stream, at, lag_bytes) VALUES (?, ?, ?, ?)')
        .run(sample.pipeline, sample.stream, now.toISOString(), sample.lagBytes);
      this.#db.prepare('DELETE FROM cdc_lag_samples WHERE pipeline = ? AND at < ?').run(sample.pipeline, cutoff);
    })();
  }

  list(options: { pipeline: string; since: string }): CdcLagSample[] {
    const rows = this.#db
      .prepare('SELECT * FROM cdc_lag_samples WHERE pipeline = ? AND at >= ? ORDER BY at, stream')
      .all(options.pipeline, options.since) as LagRow[];
    return rows.map(lagFromRow);
  }
}
