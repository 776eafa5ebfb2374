import type Database from 'libsql';
import { StateError } from './state-error.js';
import type { CursorRecord } from './state-records.js';
import { requireOptionalText } from './validate.js';

interface CursorRow {
  pipeline: string;
  stream: string;
  cursor_field: string | null;
  cursor_value: string | null;
  lsn: string | null;
  updated_at: string;
  run_id: number | null;
}

/** Per-stream resume positions (cursor value, LSN) in SQLite; values are kept as exact text. */
export class SqliteCursors {
  readonly #db: Database.Database;
  readonly #now: () => Date;

  constructor(db: Database.Database, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  getCursor(pipeline: string, stream: string): CursorRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM cursors WHERE pipeline = ? AND stream = ?').get(pipeline, stream) as
      CursorRow | undefined;
    if (row === undefined) return undefined;
    return {
      pipeline: row.pipeline,
      stream: row.stream,
      ...(row.cursor_field === null ? {} : { cursorField: row.cursor_field }),
      ...(row.cursor_value === null ? {} : { cursorValue: row.cursor_value }),
      ...(row.lsn === null ? {} : { lsn: row.lsn }),
      updatedAt: row.updated_at,
      ...(row.run_id === null ? {} : { runId: row.run_id }),
    };
  }

  putCursor(cursor: Omit<CursorRecord, 'updatedAt'>): void {
    const cursorField = requireOptionalText('cursorField', cursor.cursorField);
    const cursorValue = requireOptionalText('cursorValue', cursor.cursorValue);
    const lsn = requireOptionalText('lsn', cursor.lsn);
    if (cursor.runId !== undefined && !Number.isSafeInteger(cursor.runId)) {
      throw new StateError('INVALID_ARGUMENT', `runId must be an integer, got ${String(cursor.runId)}`, {
        details: { runId: cursor.runId },
      });
    }
    this.#db
      .prepare(
        `INSERT INTO cursors (pipeline, stream, cursor_field, cursor_value, lsn, updated_at, run_id)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (pipeline, stream) DO UPDATE SET cursor_field = excluded.cursor_field,
          cursor_value = excluded.cursor_value, lsn = excluded.lsn, updated_at = excluded.updated_at,
          run_id = excluded.run_id`,
      )
      .run(
        cursor.pipeline,
        cursor.stream,
        cursorField,
        cursorValue,
        lsn,
        this.#now().toISOString(),
        cursor.runId ?? null,
      );
  }

  deleteCursors(pipeline: string, stream?: string): number {
    const result =
      stream === undefined
        ? this.#db.prepare('DELETE FROM cursors WHERE pipeline = ?').run(pipeline)
        : this.#db.prepare('DELETE FROM cursors WHERE pipeline = ? AND stream = ?').run(pipeline, stream);
    return result.changes;
  }
}
