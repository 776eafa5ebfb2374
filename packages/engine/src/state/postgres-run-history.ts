import type pg from 'pg';
import { int8, tableIn, withTransaction, type PgQueryable } from './postgres-sql.js';
import { interruptedReason, type LockLiveness } from './lock-liveness.js';
import { refuseRunMove, requireTerminal, runReason, streamStatusClosedWith } from './run-moves.js';
import { isTerminalRunStatus, type RunStatus } from './run-status.js';
import { StateError } from './state-error.js';
import type {
  PipelineLockHolder,
  RunOutcome,
  RunRecord,
  RunTransitionRecord,
  StreamCounts,
  StreamErrorInfo,
  StreamRunRecord,
  TransitionRecord,
} from './state-records.js';
import {
  STREAM_TRANSITIONS,
  isStreamStatus,
  isTerminalStreamStatus,
  retriesExhausted,
  type StreamStatus,
} from './stream-status.js';
import { requireCount, requirePositiveInteger } from './validate.js';
import { runEventType, streamEventType } from './lifecycle-event-type.js';
import { runEventPayload, streamEventPayload } from './lifecycle-payloads.js';
import type { PostgresEventLog } from './postgres-event-log.js';

type Int8 = string;
interface RunRow {
  run_id: Int8;
  pipeline: string;
  status: RunStatus;
  started_at: string;
  finished_at: string | null;
  holder_pid: number | null;
  holder_host: string | null;
  lock_token: string | null;
  error_code: string | null;
  error_kind: 'transient' | 'permanent' | null;
  error_message: string | null;
}
interface RunTransitionRow {
  run_id: Int8;
  from_status: RunStatus | null;
  to_status: RunStatus;
  at: string;
  reason: string | null;
}
interface StreamRow {
  run_id: Int8;
  stream: string;
  status: StreamStatus;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  rows_read: Int8;
  rows_written: Int8;
  bytes_read: Int8;
  bytes_written: Int8;
  rows_skipped: Int8;
  rows_dead_lettered: Int8;
  rows_rolled_back: Int8;
  error_code: string | null;
  error_kind: 'transient' | 'permanent' | null;
  error_message: string | null;
  stalls: number;
}
interface TransitionRow {
  run_id: Int8;
  stream: string;
  from_status: StreamStatus | null;
  to_status: StreamStatus;
  at: string;
  reason: string | null;
}

/** Runs, stream runs and their transition audit in Postgres; the same rules (and lifecycle events) as SqliteRunHistory. */
export class PostgresRunHistory {
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

  /** `lock`: the pipeline lock the run begins under (its token and holder), when the store holds it. */
  async beginRun(
    pipeline: string,
    streams: readonly string[],
    lock?: { token: string; holder: PipelineLockHolder },
  ): Promise<number> {
    const duplicate = streams.find((s, i) => streams.indexOf(s) !== i);
    if (duplicate !== undefined) {
      throw new StateError(
        'DUPLICATE_STREAM',
        `stream "${duplicate}" is listed twice in the run of pipeline "${pipeline}"`,
        { details: { pipeline, stream: duplicate } },
      );
    }
    return withTransaction(this.#pool, async (client) => {
      const at = this.#now().toISOString();
      const inserted = await client.query<{ run_id: Int8 }>(
        `INSERT INTO ${this.#t('runs')} (pipeline, status, started_at, holder_pid, holder_host, lock_token)
         VALUES ($1, 'pending', $2, $3, $4, $5) RETURNING run_id`,
        [pipeline, at, lock?.holder.pid ?? null, lock?.holder.host ?? null, lock?.token ?? null],
      );
      const runId = int8((inserted.rows[0] as { run_id: Int8 }).run_id);
      await client.query(
        `INSERT INTO ${this.#t('run_transitions')} (run_id, from_status, to_status, at) VALUES ($1, NULL, 'pending', $2)`,
        [runId, at],
      );
      if (streams.length > 0) {
        await client.query(
          `INSERT INTO ${this.#t('stream_runs')} (run_id, stream, position, status)
           SELECT $1, u.stream, u.ord - 1, 'pending' FROM unnest($2::text[]) WITH ORDINALITY AS u (stream, ord) ORDER BY u.ord`,
          [runId, streams],
        );
        await client.query(
          `INSERT INTO ${this.#t('state_transitions')} (run_id, stream, from_status, to_status, at)
           SELECT $1, u.stream, NULL, 'pending', $3 FROM unnest($2::text[]) WITH ORDINALITY AS u (stream, ord) ORDER BY u.ord`,
          [runId, streams, at],
        );
      }
      return runId;
    });
  }

  async transition(runId: number, stream: string, to: StreamStatus, reason?: string): Promise<void> {
    if (!isStreamStatus(to)) {
      throw new StateError('INVALID_ARGUMENT', `unknown stream status "${String(to)}"`, {
        details: { runId, stream, to },
      });
    }
    await withTransaction(this.#pool, async (client) => {
      const from = (await this.#streamRow(client, runId, stream, true)).status;
      if (!STREAM_TRANSITIONS[from].includes(to)) {
        const allowed = STREAM_TRANSITIONS[from];
        throw new StateError(
          'ILLEGAL_TRANSITION',
          `stream "${stream}" of run ${runId} cannot move from ${from} to ${to} (allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none, it is terminal'})`,
          { details: { runId, stream, from, to, allowed } },
        );
      }
      await this.#moveStream(client, runId, stream, from, to, reason);
    });
  }

  async #moveStream(
    client: PgQueryable,
    runId: number,
    stream: string,
    from: StreamStatus,
    to: StreamStatus,
    reason: string | undefined,
    event = true,
  ): Promise<void> {
    const at = this.#now().toISOString();
    await client.query(
      `UPDATE ${this.#t('stream_runs')} SET status = $1, attempts = attempts + $2::int,
         started_at = CASE WHEN $2::int = 1 THEN COALESCE(started_at, $3) ELSE started_at END,
         finished_at = CASE WHEN $4::boolean THEN $3 ELSE finished_at END
       WHERE run_id = $5 AND stream = $6`,
      [to, to === 'running' ? 1 : 0, at, isTerminalStreamStatus(to), runId, stream],
    );
    await client.query(
      `INSERT INTO ${this.#t('state_transitions')} (run_id, stream, from_status, to_status, at, reason) VALUES ($1, $2, $3, $4, $5, $6)`,
      [runId, stream, from, to, at, reason ?? null],
    );
    const type = event ? streamEventType(from, to) : undefined;
    if (type === undefined) return;
    const run = (
      await client.query<{ pipeline: string }>(`SELECT pipeline FROM ${this.#t('runs')} WHERE run_id = $1`, [runId])
    ).rows[0] as { pipeline: string };
    const payload = streamEventPayload(toStreamRecord(await this.#streamRow(client, runId, stream, false)), reason);
    await this.#events.insert(client, { type, pipeline: run.pipeline, runId, stream, payload, at });
  }

  async recordStreamCounts(
    runId: number,
    stream: string,
    counts: StreamCounts,
    error?: StreamErrorInfo,
  ): Promise<void> {
    const values = [
      requireCount('rowsRead', counts.rowsRead),
      requireCount('rowsWritten', counts.rowsWritten),
      requireCount('bytesRead', counts.bytesRead),
      requireCount('bytesWritten', counts.bytesWritten),
      requireCount('rowsSkipped', counts.rowsSkipped ?? 0),
      requireCount('rowsDeadLettered', counts.rowsDeadLettered ?? 0),
      requireCount('rowsRolledBack', counts.rowsRolledBack ?? 0),
    ];
    if (error !== undefined && error.kind !== 'transient' && error.kind !== 'permanent') {
      throw new StateError(
        'INVALID_ARGUMENT',
        `error kind must be transient or permanent, got "${String(error.kind)}"`,
        { details: { runId, stream } },
      );
    }
    const result = await this.#pool.query(
      `UPDATE ${this.#t('stream_runs')} SET rows_read = $1, rows_written = $2, bytes_read = $3, bytes_written = $4,
         rows_skipped = $5, rows_dead_lettered = $6, rows_rolled_back = $7, error_code = $8, error_kind = $9, error_message = $10
       WHERE run_id = $11 AND stream = $12`,
      [...values, error?.code ?? null, error?.kind ?? null, error?.message ?? null, runId, stream],
    );
    if (result.rowCount === 0) await this.#streamRow(this.#pool, runId, stream, false); // throws the precise not-found error
    if (counts.stalls !== undefined) {
      await this.#pool.query(`UPDATE ${this.#t('stream_runs')} SET stalls = $1 WHERE run_id = $2 AND stream = $3`, [
        requireCount('stalls', counts.stalls),
        runId,
        stream,
      ]);
    }
  }

  async startRun(runId: number): Promise<void> {
    if (!Number.isSafeInteger(runId)) throw runNotFound(runId);
    await withTransaction(this.#pool, (client) => this.#moveRun(client, runId, 'running'));
  }

  async finishRun(runId: number, status: RunStatus, outcome: RunOutcome = {}): Promise<void> {
    requireTerminal(runId, status, outcome);
    if (!Number.isSafeInteger(runId)) throw runNotFound(runId);
    await withTransaction(this.#pool, (client) => this.#moveRun(client, runId, status, outcome));
  }

  /**
   * Closes the open runs (of `pipeline`, or all) whose process is gone, judged by `liveness` of
   * their pipeline's lock, and their open streams, as `interrupted`. Liveness is read first; the
   * runs are then locked and re-read, so a run finished meanwhile is left as it finished.
   */
  async closeInterrupted(
    pipeline: string | undefined,
    liveness: (pipeline: string) => Promise<LockLiveness>,
  ): Promise<number[]> {
    const openSql = `SELECT * FROM ${this.#t('runs')} WHERE status IN ('pending', 'running')${pipeline === undefined ? '' : ' AND pipeline = $1'} ORDER BY run_id`;
    const params = pipeline === undefined ? [] : [pipeline];
    const pipelines = new Set((await this.#pool.query<RunRow>(openSql, params)).rows.map((r) => r.pipeline));
    if (pipelines.size === 0) return [];
    const locks = new Map<string, LockLiveness>();
    for (const p of pipelines) locks.set(p, await liveness(p));
    return withTransaction(this.#pool, async (client) => {
      const closed: number[] = [];
      for (const run of (await client.query<RunRow>(`${openSql} FOR UPDATE`, params)).rows) {
        const lock = locks.get(run.pipeline);
        if (lock === undefined) continue; // a run begun since liveness was read
        const reason = interruptedReason(
          { startedAt: run.started_at, pid: run.holder_pid, host: run.holder_host, token: run.lock_token },
          lock,
        );
        if (reason === undefined) continue;
        const runId = int8(run.run_id);
        await this.#moveRun(client, runId, 'interrupted', { reason });
        closed.push(runId);
      }
      return closed;
    });
  }

  async listRunTransitions(runId: number): Promise<RunTransitionRecord[]> {
    if (!Number.isSafeInteger(runId)) return [];
    const rows = (
      await this.#pool.query<RunTransitionRow>(
        `SELECT * FROM ${this.#t('run_transitions')} WHERE run_id = $1 ORDER BY id`,
        [runId],
      )
    ).rows;
    return rows.map((r) => ({
      runId: int8(r.run_id),
      from: r.from_status,
      to: r.to_status,
      at: r.at,
      ...(r.reason === null ? {} : { reason: r.reason }),
    }));
  }

  /** Moves a run along RUN_TRANSITIONS with a transition row; call inside a transaction. */
  async #moveRun(client: PgQueryable, runId: number, to: RunStatus, outcome: RunOutcome = {}): Promise<void> {
    const row = (
      await client.query<{ status: RunStatus; pipeline: string }>(
        `SELECT status, pipeline FROM ${this.#t('runs')} WHERE run_id = $1 FOR UPDATE`,
        [runId],
      )
    ).rows[0];
    if (row === undefined) throw runNotFound(runId);
    refuseRunMove(runId, row.status, to);
    const at = this.#now().toISOString();
    const { error } = outcome;
    await client.query(
      `UPDATE ${this.#t('runs')} SET status = $1, finished_at = CASE WHEN $2::boolean THEN $3 ELSE finished_at END,
         error_code = COALESCE($4, error_code), error_kind = COALESCE($5, error_kind), error_message = COALESCE($6, error_message)
       WHERE run_id = $7`,
      [to, isTerminalRunStatus(to), at, error?.code ?? null, error?.kind ?? null, error?.message ?? null, runId],
    );
    await client.query(
      `INSERT INTO ${this.#t('run_transitions')} (run_id, from_status, to_status, at, reason) VALUES ($1, $2, $3, $4, $5)`,
      [runId, row.status, to, at, runReason(outcome) ?? null],
    );
    const closesStreams = streamStatusClosedWith(to);
    if (closesStreams !== undefined) {
      const open = (
        await client.query<{ stream: string; status: StreamStatus }>(
          `SELECT stream, status FROM ${this.#t('stream_runs')} WHERE run_id = $1 AND status IN ('pending', 'running', 'retrying') ORDER BY position FOR UPDATE`,
          [runId],
        )
      ).rows;
      // closed with the run: its event reports them, with every stream's status
      for (const s of open)
        await this.#moveStream(client, runId, s.stream, s.status, closesStreams, runReason(outcome), false);
    }
    const type = runEventType(to);
    if (type === undefined) return;
    const rows = (await client.query<RunRow>(`SELECT * FROM ${this.#t('runs')} WHERE run_id = $1`, [runId])).rows;
    const run = (await this.#withStreams(rows, client))[0] as RunRecord;
    await this.#events.insert(client, {
      type,
      pipeline: row.pipeline,
      runId,
      payload: runEventPayload(run, runReason(outcome)),
      at,
    });
  }

  async getRun(runId: number): Promise<RunRecord | undefined> {
    if (!Number.isSafeInteger(runId)) return undefined;
    const rows = (await this.#pool.query<RunRow>(`SELECT * FROM ${this.#t('runs')} WHERE run_id = $1`, [runId])).rows;
    return (await this.#withStreams(rows))[0];
  }

  async listRuns(options: { pipeline?: string; limit?: number } = {}): Promise<RunRecord[]> {
    const limit = options.limit === undefined ? null : requirePositiveInteger('limit', options.limit);
    const rows = (
      options.pipeline === undefined
        ? await this.#pool.query<RunRow>(`SELECT * FROM ${this.#t('runs')} ORDER BY run_id DESC LIMIT $1`, [limit])
        : await this.#pool.query<RunRow>(
            `SELECT * FROM ${this.#t('runs')} WHERE pipeline = $1 ORDER BY run_id DESC LIMIT $2`,
            [options.pipeline, limit],
          )
    ).rows;
    return this.#withStreams(rows);
  }

  async listTransitions(runId: number, stream?: string): Promise<TransitionRecord[]> {
    const rows = (
      stream === undefined
        ? await this.#pool.query<TransitionRow>(
            `SELECT * FROM ${this.#t('state_transitions')} WHERE run_id = $1 ORDER BY id`,
            [runId],
          )
        : await this.#pool.query<TransitionRow>(
            `SELECT * FROM ${this.#t('state_transitions')} WHERE run_id = $1 AND stream = $2 ORDER BY id`,
            [runId, stream],
          )
    ).rows;
    return rows.map((r) => ({
      runId: int8(r.run_id),
      stream: r.stream,
      from: r.from_status,
      to: r.to_status,
      at: r.at,
      ...(r.reason === null ? {} : { reason: r.reason }),
    }));
  }

  async #streamRow(db: PgQueryable, runId: number, stream: string, forUpdate: boolean): Promise<StreamRow> {
    if (!Number.isSafeInteger(runId)) throw runNotFound(runId);
    const row = (
      await db.query<StreamRow>(
        `SELECT * FROM ${this.#t('stream_runs')} WHERE run_id = $1 AND stream = $2${forUpdate ? ' FOR UPDATE' : ''}`,
        [runId, stream],
      )
    ).rows[0];
    if (row !== undefined) return row;
    if ((await db.query(`SELECT 1 FROM ${this.#t('runs')} WHERE run_id = $1`, [runId])).rowCount === 0)
      throw runNotFound(runId);
    throw new StateError('STREAM_NOT_FOUND', `run ${runId} has no stream "${stream}"`, { details: { runId, stream } });
  }

  async #withStreams(runs: RunRow[], db: PgQueryable = this.#pool): Promise<RunRecord[]> {
    if (runs.length === 0) return [];
    const ids = runs.map((r) => int8(r.run_id));
    const streamRows = (
      await db.query<StreamRow>(
        `SELECT * FROM ${this.#t('stream_runs')} WHERE run_id = ANY($1::bigint[]) ORDER BY run_id, position`,
        [ids],
      )
    ).rows;
    const byRun = new Map<number, StreamRunRecord[]>(ids.map((id) => [id, []]));
    for (const s of streamRows) byRun.get(int8(s.run_id))?.push(toStreamRecord(s));
    return runs.map((r) => ({
      runId: int8(r.run_id),
      pipeline: r.pipeline,
      status: r.status,
      startedAt: r.started_at,
      ...(r.finished_at === null ? {} : { finishedAt: r.finished_at }),
      ...(r.holder_pid === null ? {} : { holder: { pid: r.holder_pid, host: r.holder_host ?? '' } }),
      ...(r.error_code === null
        ? {}
        : { error: { code: r.error_code, kind: r.error_kind ?? 'permanent', message: r.error_message ?? '' } }),
      streams: byRun.get(int8(r.run_id)) ?? [],
    }));
  }
}

function runNotFound(runId: number): StateError {
  return new StateError('RUN_NOT_FOUND', `run ${runId} does not exist in the state DB`, { details: { runId } });
}

function toStreamRecord(s: StreamRow): StreamRunRecord {
  return {
    runId: int8(s.run_id),
    stream: s.stream,
    status: s.status,
    attempts: s.attempts,
    ...(s.started_at === null ? {} : { startedAt: s.started_at }),
    ...(s.finished_at === null ? {} : { finishedAt: s.finished_at }),
    counts: {
      rowsRead: int8(s.rows_read),
      rowsWritten: int8(s.rows_written),
      bytesRead: int8(s.bytes_read),
      bytesWritten: int8(s.bytes_written),
      rowsSkipped: int8(s.rows_skipped),
      rowsDeadLettered: int8(s.rows_dead_lettered),
      rowsRolledBack: int8(s.rows_rolled_back),
      ...(s.stalls > 0 ? { stalls: s.stalls } : {}),
    },
    ...(s.error_code === null
      ? {}
      : { error: { code: s.error_code, kind: s.error_kind ?? 'permanent', message: s.error_message ?? '' } }),
    ...(retriesExhausted(s.status, s.error_kind ?? undefined) ? { retriesExhausted: true as const } : {}),
  };
}
