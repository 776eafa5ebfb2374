import type Database from 'better-sqlite3';
import { checkDeadLetter } from './dead-letter-check.js';
import { StateError } from './state-error.js';
import type { DeadLetter } from './state-records.js';
import { requirePositiveInteger } from './validate.js';

interface DeadLetterRow { id: number; run_id: number; stream: string; record: string; error: string; category: string; at: string }

/** Records the destination refused, in SQLite. */
export class SqliteDeadLetters {
  readonly #db: Database.Database;
  readonly #now: () => Date;

  constructor(db: Database.Database, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  addDeadLetters(letters: readonly DeadLetter[]): void {
    if (letters.length === 0) return;
    letters.forEach(checkDeadLetter);
    const insert = this.#db.prepare('INSERT INTO dead_letters (run_id, stream, record, error, category, at) VALUES (?, ?, ?, ?, ?, ?)');
    const at = this.#now().toISOString();
    try {
      this.#db.transaction(() => {
        for (const l of letters) insert.run(l.runId, l.stream, l.record, l.error, l.category, l.at ?? at);
      }).immediate();
    } catch (cause) {
      if ((cause as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw cause;
      const runIds = [...new Set(letters.map((l) => l.runId))];
      throw new StateError('RUN_NOT_FOUND', `dead letters name a run that does not exist (runs ${runIds.join(', ')}); nothing was stored`, { cause, details: { runIds } });
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
