import type pg from 'pg';
import type { AlertMove, AlertStateRecord, AlertStatus } from './alert-records.js';
import type { EventRecord } from './event-records.js';
import type { PostgresEventLog } from './postgres-event-log.js';
import { tableIn, withTransaction } from './postgres-sql.js';
import { alertFromRow } from './sqlite-alert-states.js';

/** Alert states in Postgres; a move and its event commit together (the row is locked while it moves). */
export class PostgresAlertStates {
  readonly #pool: pg.Pool;
  readonly #events: PostgresEventLog;
  readonly #now: () => Date;
  readonly #table: string;

  constructor(pool: pg.Pool, schema: string, now: () => Date, events: PostgresEventLog) {
    this.#pool = pool;
    this.#now = now;
    this.#events = events;
    this.#table = tableIn(schema, 'alert_states');
  }

  async list(pipeline: string): Promise<AlertStateRecord[]> {
    const r = await this.#pool.query<Parameters<typeof alertFromRow>[0]>(
      `SELECT * FROM ${this.#table} WHERE pipeline = $1 ORDER BY alert`,
      [pipeline],
    );
    return r.rows.map(alertFromRow);
  }

  async move(move: AlertMove): Promise<EventRecord | undefined> {
    const at = move.event.at ?? this.#now().toISOString();
    const id = await withTransaction(this.#pool, async (client) => {
      // a missing row is `ok`: insert it first so two movers serialise on its lock
      await client.query(
        `INSERT INTO ${this.#table} (pipeline, alert, status, since) VALUES ($1, $2, 'ok', $3) ON CONFLICT DO NOTHING`,
        [move.pipeline, move.alert, at],
      );
      const row = await client.query<{ status: AlertStatus }>(
        `SELECT status FROM ${this.#table} WHERE pipeline = $1 AND alert = $2 FOR UPDATE`,
        [move.pipeline, move.alert],
      );
      if (row.rows[0]?.status !== move.from) return undefined;
      const eventId = await this.#events.insert(client, { ...move.event, at });
      await client.query(
        `UPDATE ${this.#table} SET status = $3, since = $4, value = $5, event_id = $6 WHERE pipeline = $1 AND alert = $2`,
        [move.pipeline, move.alert, move.to, at, move.value, eventId],
      );
      return eventId;
    });
    return id === undefined ? undefined : this.#events.getEvent(id);
  }
}
