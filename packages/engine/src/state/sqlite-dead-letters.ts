import type Database from 'libsql';
import { checkDeadLetter } from './dead-letter-check.js';
import { deadLetterKey } from './dead-letter-key.js';
import { StateError } from './state-error.js';
import type { DeadLetter } from './state-records.js';
import { requirePositiveInteger } from './validate.js';
import type { SqliteEventLog } from './sqlite-event-log.js';

interface DeadLetterRow {
  id: number;
  run_id: number;
  stream: string;
  record: string;
  error: string;
  category: string;
  at: string;
}

function runNotFound(runIds: readonly number[], cause?: unknown): StateError {
  return new StateError(
    'RUN_NOT_FOUND',
    `dead letters name a run that does not exist (runs ${runIds.join(', ')}); nothing was stored`,
    { cause, details: { runIds } },
  );
}

/** Records the destination refused, in SQLite; each batch writes a `rows.dead_lettered` event per stream in its transaction. */
export class SqliteDeadLetters {
  readonly #db: Database.Database;
  readonly #now: () => Date;
  readonly #events: SqliteEventLog;

  constructor(db: Database.Database, now: () => Date, events: SqliteEventLog) {
    this.#db = db;
    this.#now = now;
    this.#events = events;
  }

  /** Stores the letters in one transaction; one whose dedupe key is stored already is skipped (`deadLetterKey`). */
  addDeadLetters(letters: readonly DeadLetter[]): void {
    if (letters.length === 0) return;
    letters.forEach(checkDeadLetter);
    const insert = this.#db.prepare(
      'INSERT OR IGNORE INTO dead_letters (run_id, stream, record, error, category, at, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const pipelineOf = this.#db.prepare('SELECT pipeline FROM runs WHERE run_id = ?');
    const at = this.#now().toISOString();
    const runIds = [...new Set(letters.map((l) => l.runId))];
    try {
      this.#db
        .transaction(() => {
          const pipelines = new Map<number, string>();
          for (const id of runIds) {
            const row = pipelineOf.get(id) as { pipeline: string } | undefined;
            if (!row) throw runNotFound(runIds);
            pipelines.set(id, row.pipeline);
          }
          const stored = new Map<string, { runId: number; stream: string; rows: number }>();
          for (const l of letters) {
            const { changes } = insert.run(
              l.runId,
              l.stream,
              l.record,
              l.error,
              l.category,
              l.at ?? at,
              deadLetterKey(pipelines.get(l.runId) as string, l),
            );
            const key = JSON.stringify([l.runId, l.stream]);
            const entry = stored.get(key) ?? { runId: l.runId, stream: l.stream, rows: 0 };
            entry.rows += changes;
            stored.set(key, entry);
          }
          for (const e of stored.values()) {
            if (e.rows === 0) continue;
            this.#events.insert({
              type: 'rows.dead_lettered',
              pipeline: pipelines.get(e.runId) as string,
              runId: e.runId,
              stream: e.stream,
              payload: { rows: e.rows },
              at,
            });
          }
        })
        .immediate();
    } catch (cause) {
      if ((cause as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw cause;
      throw runNotFound(runIds, cause);
    }
  }

  listDeadLetters(options: { pipeline?: string; runId?: number; limit?: number }): DeadLetter[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.pipeline !== undefined) {
      where.push('d.run_id IN (SELECT run_id FROM runs WHERE pipeline = ?)');
      params.push(options.pipeline);
    }
    if (options.runId !== undefined) {
      where.push('d.run_id = ?');
      params.push(options.runId);
    }
    params.push(options.limit === undefined ? -1 : requirePositiveInteger('limit', options.limit));
    const rows = this.#db
      .prepare(
        `SELECT d.* FROM dead_letters d ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id LIMIT ?`,
      )
      .all(...params) as DeadLetterRow[];
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      stream: r.stream,
      record: r.record,
      error: r.error,
      category: r.category,
      at: r.at,
    }));
  }
}
