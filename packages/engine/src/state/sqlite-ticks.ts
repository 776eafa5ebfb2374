import type Database from 'libsql';
import type { SqliteEventLog } from './sqlite-event-log.js';
import { skippedTickEvent, type NewTick, type TickOutcome, type TickRecord } from './tick-outcome.js';

interface TickRow {
  id: number;
  pipeline: string;
  tick_at: string;
  outcome: string;
  reason: string | null;
  run_id: number | null;
  recorded_at: string;
}

/** A row of `schedule_ticks` as a {@link TickRecord}. */
export function tickFromRow(row: TickRow): TickRecord {
  return {
    id: Number(row.id),
    pipeline: row.pipeline,
    tickAt: row.tick_at,
    outcome: row.outcome as TickOutcome,
    ...(row.reason !== null && { reason: row.reason }),
    ...(row.run_id !== null && { runId: Number(row.run_id) }),
    recordedAt: row.recorded_at,
  };
}

/** The schedule tick log in SQLite; a skipped tick and its `schedule.skipped` event commit together. */
export class SqliteTicks {
  readonly #db: Database.Database;
  readonly #now: () => Date;
  readonly #events: SqliteEventLog;

  constructor(db: Database.Database, now: () => Date, events: SqliteEventLog) {
    this.#db = db;
    this.#now = now;
    this.#events = events;
  }

  recordTick(tick: NewTick): number {
    const at = this.#now().toISOString();
    return this.#db
      .transaction((): number => {
        const result = this.#db
          .prepare(
            'INSERT INTO schedule_ticks (pipeline, tick_at, outcome, reason, run_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(tick.pipeline, tick.tickAt, tick.outcome, tick.reason ?? null, tick.runId ?? null, at);
        const event = skippedTickEvent(tick, at);
        if (event !== undefined) this.#events.insert(event);
        return Number(result.lastInsertRowid);
      })
      .immediate();
  }

  listTicks(options: { pipeline?: string; limit?: number } = {}): TickRecord[] {
    const where = options.pipeline === undefined ? '' : 'WHERE pipeline = ?';
    const params: unknown[] = options.pipeline === undefined ? [] : [options.pipeline];
    const rows = this.#db
      .prepare(`SELECT * FROM schedule_ticks ${where} ORDER BY id DESC LIMIT ?`)
      .all(...params, options.limit ?? -1) as TickRow[];
    return rows.map(tickFromRow);
  }
}
