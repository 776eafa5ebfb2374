import type Database from 'libsql';
import type { AlertMove, AlertStateRecord, AlertStatus } from './alert-records.js';
import type { EventRecord } from './event-records.js';
import type { SqliteEventLog } from './sqlite-event-log.js';

interface AlertRow {
  pipeline: string;
  alert: string;
  status: AlertStatus;
  since: string;
  value: number | null;
  event_id: number | null;
}

/** A row of `alert_states` as an {@link AlertStateRecord}. */
export function alertFromRow(row: AlertRow): AlertStateRecord {
  return {
    pipeline: row.pipeline,
    alert: row.alert,
    status: row.status,
    since: row.since,
    ...(row.value !== null && { value: Number(row.value) }),
    ...(row.event_id !== null && { eventId: Number(row.event_id) }),
  };
}

/** Alert states in SQLite; a move and its event commit together. */
export class SqliteAlertStates {
  readonly #db: Database.Database;
  readonly #events: SqliteEventLog;
  readonly #now: () => Date;

  constructor(db: Database.Database, now: () => Date, events: SqliteEventLog) {
    this.#db = db;
    this.#now = now;
    this.#events = events;
  }

  list(pipeline: string): AlertStateRecord[] {
    return (
      this.#db.prepare('SELECT * FROM alert_states WHERE pipeline = ? ORDER BY alert').all(pipeline) as AlertRow[]
    ).map(alertFromRow);
  }

  move(move: AlertMove): EventRecord | undefined {
    const at = move.event.at ?? this.#now().toISOString();
    const id = this.#db
      .transaction((): number | undefined => {
        const row = this.#db
          .prepare('SELECT status FROM alert_states WHERE pipeline = ? AND alert = ?')
          .get(move.pipeline, move.alert) as { status: AlertStatus } | undefined;
        if ((row?.status ?? 'ok') !== move.from) return undefined;
        const eventId = this.#events.insert({ ...move.event, at });
        this.#db
          .prepare(
            `INSERT INTO alert_states (pipeline, alert, status, since, value, event_id) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (pipeline, alert) DO UPDATE SET status = excluded.status, since = excluded.since, value = excluded.value, event_id = excluded.event_id`,
          )
          .run(move.pipeline, move.alert, move.to, at, move.value, eventId);
        return eventId;
      })
      .immediate();
    return id === undefined ? undefined : this.#events.getEvent(id);
  }
}
