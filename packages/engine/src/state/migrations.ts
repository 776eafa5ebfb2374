import type Database from 'libsql';
import { StateError } from './state-error.js';

/**
 * Numbered schema migrations: MIGRATIONS[i] brings the schema to version i + 1. Append only;
 * never edit a released entry. Timestamps are ISO-8601 UTC text, counts INTEGER.
 */
export const MIGRATIONS: readonly string[] = Object.freeze([
  /* 1: initial schema */ `
  CREATE TABLE runs (
    run_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline    TEXT NOT NULL,
    status      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX runs_pipeline ON runs (pipeline, run_id);

  CREATE TABLE stream_runs (
    run_id             INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    stream             TEXT NOT NULL,
    position           INTEGER NOT NULL,
    status             TEXT NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    started_at         TEXT,
    finished_at        TEXT,
    rows_read          INTEGER NOT NULL DEFAULT 0,
    rows_written       INTEGER NOT NULL DEFAULT 0,
    bytes_read         INTEGER NOT NULL DEFAULT 0,
    bytes_written      INTEGER NOT NULL DEFAULT 0,
    rows_skipped       INTEGER NOT NULL DEFAULT 0,
    rows_dead_lettered INTEGER NOT NULL DEFAULT 0,
    error_code         TEXT,
    error_kind         TEXT,
    error_message      TEXT,
    PRIMARY KEY (run_id, stream)
  );

  CREATE TABLE state_transitions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      INTEGER NOT NULL,
    stream      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    at          TEXT NOT NULL,
    reason      TEXT,
    FOREIGN KEY (run_id, stream) REFERENCES stream_runs (run_id, stream) ON DELETE CASCADE
  );
  CREATE INDEX state_transitions_run ON state_transitions (run_id, stream, id);

  CREATE TABLE cursors (
    pipeline     TEXT NOT NULL,
    stream       TEXT NOT NULL,
    cursor_field TEXT,
    cursor_value TEXT,
    lsn          TEXT,
    updated_at   TEXT NOT NULL,
    run_id       INTEGER,
    PRIMARY KEY (pipeline, stream)
  );

  CREATE TABLE connector_state (
    scope      TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
  );

  CREATE TABLE dead_letters (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id   INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    stream   TEXT NOT NULL,
    record   TEXT NOT NULL,
    error    TEXT NOT NULL,
    category TEXT NOT NULL,
    at       TEXT NOT NULL
  );
  CREATE INDEX dead_letters_run ON dead_letters (run_id, id);

  CREATE TABLE pipeline_locks (
    pipeline     TEXT PRIMARY KEY,
    token        TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    host         TEXT NOT NULL,
    acquired_at  TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
  );
  `,
  /* 2: dead letters are idempotent (see dead-letter-key.ts); older rows have no key */ `
  ALTER TABLE dead_letters ADD COLUMN dedupe_key TEXT;
  CREATE UNIQUE INDEX dead_letters_dedupe ON dead_letters (dedupe_key);
  `,
  /* 3: rows a stream's attempts delivered that were rolled back (rows_written counts committed rows) */ `
  ALTER TABLE stream_runs ADD COLUMN rows_rolled_back INTEGER NOT NULL DEFAULT 0;
  `,
  /* 4: run lifecycle: who ran it (to close it as interrupted once that process is gone), its error, its transitions */ `
  ALTER TABLE runs ADD COLUMN holder_pid INTEGER;
  ALTER TABLE runs ADD COLUMN holder_host TEXT;
  ALTER TABLE runs ADD COLUMN lock_token TEXT;
  ALTER TABLE runs ADD COLUMN error_code TEXT;
  ALTER TABLE runs ADD COLUMN error_kind TEXT;
  ALTER TABLE runs ADD COLUMN error_message TEXT;
  CREATE INDEX runs_open ON runs (pipeline, run_id) WHERE status IN ('pending', 'running');

  CREATE TABLE run_transitions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    at          TEXT NOT NULL,
    reason      TEXT
  );
  CREATE INDEX run_transitions_run ON run_transitions (run_id, id);
  `,
  /* 5: times the stall watchdog restarted or failed a stream */ `
  ALTER TABLE stream_runs ADD COLUMN stalls INTEGER NOT NULL DEFAULT 0;
  `,
  /* 6: lifecycle events (an outbox written with the state change each reports), notification targets, deliveries */ `
  CREATE TABLE events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    uid      TEXT NOT NULL UNIQUE,
    type     TEXT NOT NULL,
    at       TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    run_id   INTEGER,
    stream   TEXT,
    payload  TEXT NOT NULL
  );
  CREATE INDEX events_pipeline ON events (pipeline, id);

  CREATE TABLE notification_targets (
    pipeline   TEXT NOT NULL,
    target     TEXT NOT NULL,
    label      TEXT NOT NULL,
    events     TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (pipeline, target)
  );

  CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    pipeline        TEXT NOT NULL,
    target          TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    queued_at       TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_by      TEXT,
    lease_until     TEXT,
    last_status     INTEGER,
    last_error      TEXT,
    delivered_at    TEXT,
    UNIQUE (event_id, target)
  );
  CREATE INDEX deliveries_pending ON deliveries (pipeline, target, event_id) WHERE status = 'pending';
  `,
  /* 7: what `serve` did with each scheduled tick (fired, skipped and why) */ `
  CREATE TABLE schedule_ticks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline    TEXT NOT NULL,
    tick_at     TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    reason      TEXT,
    run_id      INTEGER,
    recorded_at TEXT NOT NULL
  );
  CREATE INDEX schedule_ticks_pipeline ON schedule_ticks (pipeline, id);
  `,
  /* 8: CDC lag at each commit of a CDC stream (kept a few hours: the dashboard charts the last one) */ `
  CREATE TABLE cdc_lag_samples (
    pipeline  TEXT NOT NULL,
    stream    TEXT NOT NULL,
    at        TEXT NOT NULL,
    lag_bytes INTEGER NOT NULL
  );
  CREATE INDEX cdc_lag_samples_pipeline ON cdc_lag_samples (pipeline, at);
  `,
  /* 9: the state of each alert `serve` evaluates (firing or ok since when), so a restart neither re-fires nor forgets */ `
  CREATE TABLE alert_states (
    pipeline TEXT NOT NULL,
    alert    TEXT NOT NULL,
    status   TEXT NOT NULL,
    since    TEXT NOT NULL,
    value    REAL,
    event_id INTEGER,
    PRIMARY KEY (pipeline, alert)
  );
  `,
]);

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Highest applied migration, 0 for a new database. */
export function readSchemaVersion(db: Database.Database): number {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
  if (exists === undefined) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies the missing migrations in one transaction (each recorded in `schema_migrations`);
 * a no-op on an up-to-date database. Refuses a database written by a newer engine.
 */
export function migrateSqlite(
  db: Database.Database,
  migrations: readonly string[] = MIGRATIONS,
): { from: number; to: number } {
  const run = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      applied_at TEXT NOT NULL
    )`);
    const from = readSchemaVersion(db);
    if (from > migrations.length) {
      throw new StateError(
        'SCHEMA_TOO_NEW',
        `state DB schema version ${from} is newer than this engine supports (${migrations.length}); upgrade rapidbyte`,
        { details: { found: from, supported: migrations.length } },
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    for (let version = from + 1; version <= migrations.length; version++) {
      db.exec(migrations[version - 1]);
      record.run(version, new Date().toISOString());
    }
    return { from, to: migrations.length };
  });
  return run.immediate();
}
