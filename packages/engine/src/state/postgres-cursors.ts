import type pg from 'pg';
import { tableIn } from './postgres-sql.js';
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
  run_id: string | null;
}

/** Per-stream resume positions (cursor value, LSN) in Postgres; values are kept as exact text. */
export class PostgresCursors {
  readonly #pool: pg.Pool;
  readonly #now: () => Date;
  readonly #table: string;

  constructor(pool: pg.Pool, schema: string, now: () => Date) {
    this.#pool = pool;
    this.#now = now;
    this.#table = tableIn(schema, 'cursors');
  }

  async getCursor(pipeline: string, stream: string): Promise<CursorRecord | undefined> {
    const row = (
      await this.#pool.query<CursorRow>(`SELECT * FROM ${this.#table} WHERE pipeline = $1 AND stream = $2`, [
        pipeline,
        stream,
      ])
    ).rows[0];
    if (row === undefined) return undefined;
    return {
      pipeline: row.pipeline,
      stream: row.stream,
      ...(row.cursor_field === null ? {} : { cursorField: row.cursor_field }),
      ...(row.cursor_value === null ? {} : { cursorValue: row.cursor_value }),
      ...(row.lsn === null ? {} : { lsn: row.lsn }),
      updatedAt: row.updated_at,
      ...(row.run_id === null ? {} : { runId: Number(row.run_id) }),
    };
  }

  async putCursor(cursor: Omit<CursorRecord, 'updatedAt'>): Promise<void> {
    const cursorField = requireOptionalText('cursorField', cursor.cursorField);
    const cursorValue = requireOptionalText('cursorValue', cursor.cursorValue);
    const lsn = requireOptionalText('lsn', cursor.lsn);
    if (cursor.runId !== undefined && !Number.isSafeInteger(cursor.runId)) {
      throw new StateError('INVALID_ARGUMENT', `runId must be an integer, got ${String(cursor.runId)}`, {
        details: { runId: cursor.runId },
      });
    }
    await this.#pool.query(
      `INSERT INTO ${this.#table} (pipeline, stream, cursor_field, cursor_value, lsn, updated_at, run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (pipeline, stream) DO UPDATE SET cursor_field = excluded.cursor_field,
         cursor_value = excluded.cursor_value, lsn = excluded.lsn, updated_at = excluded.updated_at,
         run_id = excluded.run_id`,
      [cursor.pipeline, cursor.stream, cursorField, cursorValue, lsn, this.#now().toISOString(), cursor.runId ?? null],
    );
  }

  async deleteCursors(pipeline: string, stream?: string): Promise<number> {
    const result =
      stream === undefined
        ? await this.#pool.query(`DELETE FROM ${this.#table} WHERE pipeline = $1`, [pipeline])
        : await this.#pool.query(`DELETE FROM ${this.#table} WHERE pipeline = $1 AND stream = $2`, [pipeline, stream]);
    return result.rowCount ?? 0;
  }
}
