import type Database from 'libsql';
import { checkDeadLetter } from './dead-letter-check.js';
import { deadLetterKey } from './dead-letter-key.js';
import { StateError } from './state-error.js';
import type { DeadLetter } from './state-records.js';
import { requirePositiveInteger } from './validate.js';

interface DeadLetterRow { id: number; run_id: number; stream: string; record: string; error: string; category: string; at: string }

function runNotFound(runIds: readonly number[], cause?: unknown): StateError {
  return new StateError('RUN_NOT_FOUND', `dead letters name a run that does not exist (runs ${runIds.join(', ')}); nothing was stored`, { cause, details: { runIds } });
}

/** Records the destination refused, in SQLite. */
export class SqliteDeadLetters {
  readonly #db: Database.Database;
  readonly #now: () => Date;

  constructor(db: Database.Database, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  /** Stores the letters in one transaction; one whose dedupe key is stored already is skipped (`deadLetterKey`). */
  addDeadLetters(letters: readonly DeadLetter[]): void {
    if (letters.length === 0) return;
    letters.forEach(checkDeadLetter);
    const insert = this.#db.prepare('INSERT OR IGNORE INTO dead_letters (run_id, stream, record, error, category, at, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const pipelineOf = this.#db.prepare('SELECT pipeline FROM runs WHERE run_id = ?');
    const at = this.#now().toISOString();
    const runIds = [...new Set(letters.map((l) => l.runId))];
    try {
      this.#db.transaction(() => {
        const pipelines = new Map<number, string>();
        for (const id of runIds) {
          const row = pipelineOf.get(id) as { pipeline: string } | undefined;
          if (!row) throw runNotFound(runIds);
          pipelines.set(id, row.pipeline);
        }
        for (const l of letters) insert.run(l.runId, l.stream, l.record, l.error, l.category, l.at ?? at, deadLetterKey(pipelines.get(l.runId) as string, l));
      }).immediate();
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
      .prepare(`SELECT d.* FROM dead_letters d ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id LIMIT ?`)
      .all(...params) as DeadLetterRow[];
    return rows.map((r) => ({ id: r.id, runId: r.run_id, stream: r.stream, record: r.record, error: r.error, category: r.category, at: r.at }));
  }
}
