import type pg from 'pg';
import { checkDeadLetter } from './dead-letter-check.js';
import { deadLetterKey } from './dead-letter-key.js';
import { sqlstateOf, tableIn, withTransaction } from './postgres-sql.js';
import type { PostgresEventLog } from './postgres-event-log.js';
import { StateError } from './state-error.js';
import type { DeadLetter } from './state-records.js';
import { requirePositiveInteger } from './validate.js';

interface DeadLetterRow {
  id: string;
  run_id: string;
  stream: string;
  record: string;
  error: string;
  category: string;
  at: string;
}

/**
 * Records the destination refused, in Postgres; a batch is one INSERT, so all or none, in the
 * transaction of its `rows.dead_lettered` events (one per stream).
 */
export class PostgresDeadLetters {
  readonly #pool: pg.Pool;
  readonly #now: () => Date;
  readonly #t: (table: string) => string;
  readonly #events: PostgresEventLog;

  constructor(pool: pg.Pool, schema: string, now: () => Date, events: PostgresEventLog) {
    this.#pool = pool;
    this.#now = now;
    this.#events = events;
    this.#t = (table) => tableIn(schema, table);
  }

  /** Stores the letters in one INSERT; one whose dedupe key is stored already is skipped (`deadLetterKey`). */
  async addDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    letters.forEach(checkDeadLetter);
    const at = this.#now().toISOString();
    const runIds = [...new Set(letters.map((l) => l.runId))];
    const notFound = (cause?: unknown): StateError =>
      new StateError(
        'RUN_NOT_FOUND',
        `dead letters name a run that does not exist (runs ${runIds.join(', ')}); nothing was stored`,
        { cause, details: { runIds } },
      );
    const found = await this.#pool.query<{ run_id: string; pipeline: string }>(
      `SELECT run_id, pipeline FROM ${this.#t('runs')} WHERE run_id = ANY ($1::bigint[])`,
      [runIds],
    );
    const pipelines = new Map(found.rows.map((r) => [Number(r.run_id), r.pipeline]));
    if (pipelines.size < runIds.length) throw notFound();
    try {
      // unnest keeps the batch's order (WITH ORDINALITY), so ids follow insertion order as in SQLite.
      await withTransaction(this.#pool, async (client) => {
        const inserted = await client.query<{ run_id: string; stream: string }>(
          `INSERT INTO ${this.#t('dead_letters')} (run_id, stream, record, error, category, at, dedupe_key)
         SELECT u.run_id, u.stream, u.record, u.error, u.category, u.at, u.dedupe_key
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
           WITH ORDINALITY AS u (run_id, stream, record, error, category, at, dedupe_key, ord)
         ORDER BY u.ord
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING run_id, stream`,
          [
            letters.map((l) => l.runId),
            letters.map((l) => l.stream),
            letters.map((l) => l.record),
            letters.map((l) => l.error),
            letters.map((l) => l.category),
            letters.map((l) => l.at ?? at),
            letters.map((l) => deadLetterKey(pipelines.get(l.runId) as string, l)),
          ],
        );
        const stored = new Map<string, { runId: number; stream: string; rows: number }>();
        for (const r of inserted.rows) {
          const key = JSON.stringify([r.run_id, r.stream]);
          const entry = stored.get(key) ?? { runId: Number(r.run_id), stream: r.stream, rows: 0 };
          entry.rows++;
          stored.set(key, entry);
        }
        for (const e of stored.values()) {
          await this.#events.insert(client, {
            type: 'rows.dead_lettered',
            pipeline: pipelines.get(e.runId) as string,
            runId: e.runId,
            stream: e.stream,
            payload: { rows: e.rows },
            at,
          });
        }
      });
    } catch (cause) {
      if (sqlstateOf(cause) !== '23503') throw cause; // foreign_key_violation
      throw notFound(cause);
    }
  }

  async listDeadLetters(options: { pipeline?: string; runId?: number; limit?: number }): Promise<DeadLetter[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.pipeline !== undefined) {
      params.push(options.pipeline);
      where.push(`d.run_id IN (SELECT run_id FROM ${this.#t('runs')} WHERE pipeline = $${params.length})`);
    }
    if (options.runId !== undefined) {
      params.push(options.runId);
      where.push(`d.run_id = $${params.length}`);
    }
    params.push(options.limit === undefined ? null : requirePositiveInteger('limit', options.limit));
    const rows = (
      await this.#pool.query<DeadLetterRow>(
        `SELECT d.* FROM ${this.#t('dead_letters')} d ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id LIMIT $${params.length}`,
        params,
      )
    ).rows;
    return rows.map((r) => ({
      id: Number(r.id),
      runId: Number(r.run_id),
      stream: r.stream,
      record: r.record,
      error: r.error,
      category: r.category,
      at: r.at,
    }));
  }
}
