import type Database from 'libsql';
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
import type { SqliteEventLog } from './sqlite-event-log.js';

interface RunRow {
  run_id: number;
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
  run_id: number;
  from_status: RunStatus | null;
  to_status: RunStatus;
  at: string;
  reason: string | null;
}
interface StreamRow {
  run_id: number;
  stream: string;
  status: StreamStatus;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  rows_read: number;
  rows_written: number;
  bytes_read: number;
  bytes_written: number;
  rows_skipped: number;
  rows_dead_lettered: number;
  rows_rolled_back: number;
  error_code: string | null;
  error_kind: 'transient' | 'permanent' | null;
  error_message: string | null;
  stalls: number;
}
interface TransitionRow {
  run_id: number;
  stream: string;
  from_status: StreamStatus | null;
  to_status: StreamStatus;
  at: string;
  reason: string | null;
}

/**
 * Runs, stream runs and their transition audit in SQLite. Every run and stream move that a
 * lifecycle event reports writes that event (and its deliveries) in the move's transaction.
 */
export class SqliteRunHistory {
  readonly #db: Database.Database;
  readonly #now: () => Date;
  readonly #events: SqliteEventLog;

  constructor(db: Database.Database, now: () => Date, events: SqliteEventLog) {
    this.#db = db;
    this.#now = now;
    this.#events = events;
  }

  /** `lock`: the pipeline lock the run begins under (its token and holder), when the store holds it. */
  beginRun(pipeline: string, streams: readonly string[], lock?: { token: string; holder: PipelineLockHolder }): number {
    const duplicate = streams.find((s, i) => streams.indexOf(s) !== i);
    if (duplicate !== undefined) {
      throw new StateError(
        'DUPLICATE_STREAM',
        `stream "${duplicate}" is listed twice in the run of pipeline "${pipeline}"`,
        { details: { pipeline, stream: duplicate } },
      );
    }
    return this.#db
      .transaction(() => {
        const at = this.#now().toISOString();
        const runId = Number(
          this.#db
            .prepare(
              `INSERT INTO runs (pipeline, status, started_at, holder_pid, holder_host, lock_token) VALUES (?, 'pending', ?, ?, ?, ?)`,
            )
            .run(pipeline, at, lock?.holder.pid ?? null, lock?.holder.host ?? null, lock?.token ?? null)
            .lastInsertRowid,
        );
        this.#db
          .prepare(`INSERT INTO run_transitions (run_id, from_status, to_status, at) VALUES (?, NULL, 'pending', ?)`)
          .run(runId, at);
        const insertStream = this.#db.prepare(
          `INSERT INTO stream_runs (run_id, stream, position, status) VALUES (?, ?, ?, 'pending')`,
        );
        const insertTransition = this.#db.prepare(
          `INSERT INTO state_transitions (run_id, stream, from_status, to_status, at) VALUES (?, ?, NULL, 'pending', ?)`,
        );
        streams.forEach((stream, position) => {
          insertStream.run(runId, stream, position);
          insertTransition.run(runId, stream, at);
        });
        return runId;
      })
      .immediate();
  }

  transition(runId: number, stream: string, to: StreamStatus, reason?: string): void {
    if (!isStreamStatus(to)) {
      throw new StateError('INVALID_ARGUMENT', `unknown stream status "${String(to)}"`, {
        details: { runId, stream, to },
      });
    }
    this.#db
      .transaction(() => {
        const from = this.#streamRow(runId, stream).status;
        if (!STREAM_TRANSITIONS[from].includes(to)) {
          const allowed = STREAM_TRANSITIONS[from];
          throw new StateError(
            'ILLEGAL_TRANSITION',
            `stream "${stream}" of run ${runId} cannot move from ${from} to ${to} (allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none, it is terminal'})`,
            { details: { runId, stream, from, to, allowed } },
          );
        }
        this.#moveStream(runId, stream, from, to, reason);
      })
      .immediate();
  }

  recordStreamCounts(runId: number, stream: string, counts: StreamCounts, error?: StreamErrorInfo): void {
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
    const result = this.#db
      .prepare(
        `UPDATE stream_runs SET rows_read = ?, rows_written = ?, bytes_read = ?, bytes_written = ?,
          rows_skipped = ?, rows_dead_lettered = ?, rows_rolled_back = ?, error_code = ?, error_kind = ?, error_message = ?
        WHERE run_id = ? AND stream = ?`,
      )
      .run(...values, error?.code ?? null, error?.kind ?? null, error?.message ?? null, runId, stream);
    if (result.changes === 0) this.#streamRow(runId, stream); // throws the precise not-found error
    if (counts.stalls !== undefined) {
      this.#db
        .prepare('UPDATE stream_runs SET stalls = ? WHERE run_id = ? AND stream = ?')
        .run(requireCount('stalls', counts.stalls), runId, stream);
    }
  }

  startRun(runId: number): void {
    this.#db.transaction(() => this.#moveRun(runId, 'running')).immediate();
  }

  finishRun(runId: number, status: RunStatus, outcome: RunOutcome = {}): void {
    requireTerminal(runId, status, outcome);
    this.#db.transaction(() => this.#moveRun(runId, status, outcome)).immediate();
  }

  /**
   * Closes the open runs (of `pipeline`, or all) whose process is gone, judged by `liveness` of
   * their pipeline's lock, and their open streams, as `interrupted`. One transaction.
   */
  closeInterrupted(pipeline: string | undefined, liveness: (pipeline: string) => LockLiveness): number[] {
    return this.#db
      .transaction(() => {
        const open = (
          pipeline === undefined
            ? this.#db.prepare(`SELECT * FROM runs WHERE status IN ('pending', 'running') ORDER BY run_id`).all()
            : this.#db
                .prepare(`SELECT * FROM runs WHERE pipeline = ? AND status IN ('pending', 'running') ORDER BY run_id`)
                .all(pipeline)
        ) as RunRow[];
        const locks = new Map<string, LockLiveness>();
        const closed: number[] = [];
        for (const run of open) {
          let lock = locks.get(run.pipeline);
          if (lock === undefined) locks.set(run.pipeline, (lock = liveness(run.pipeline)));
          const reason = interruptedReason(
            { startedAt: run.started_at, pid: run.holder_pid, host: run.holder_host, token: run.lock_token },
            lock,
          );
          if (reason === undefined) continue;
          this.#moveRun(run.run_id, 'interrupted', { reason });
          closed.push(run.run_id);
        }
        return closed;
      })
      .immediate();
  }

  listRunTransitions(runId: number): RunTransitionRecord[] {
    const rows = this.#db
      .prepare('SELECT * FROM run_transitions WHERE run_id = ? ORDER BY id')
      .all(runId) as RunTransitionRow[];
    return rows.map((r) => ({
      runId: r.run_id,
      from: r.from_status,
      to: r.to_status,
      at: r.at,
      ...(r.reason === null ? {} : { reason: r.reason }),
    }));
  }

  /** Moves a run along RUN_TRANSITIONS with a transition row; call inside a transaction. */
  #moveRun(runId: number, to: RunStatus, outcome: RunOutcome = {}): void {
    const row = this.#db.prepare('SELECT status, pipeline FROM runs WHERE run_id = ?').get(runId) as
      { status: RunStatus; pipeline: string } | undefined;
    if (row === undefined) throw runNotFound(runId);
    refuseRunMove(runId, row.status, to);
    const at = this.#now().toISOString();
    const { error } = outcome;
    this.#db
      .prepare(
        `UPDATE runs SET status = ?, finished_at = CASE WHEN ? = 1 THEN ? ELSE finished_at END,
          error_code = COALESCE(?, error_code), error_kind = COALESCE(?, error_kind), error_message = COALESCE(?, error_message)
        WHERE run_id = ?`,
      )
      .run(
        to,
        isTerminalRunStatus(to) ? 1 : 0,
        at,
        error?.code ?? null,
        error?.kind ?? null,
        error?.message ?? null,
        runId,
      );
    this.#db
      .prepare('INSERT INTO run_transitions (run_id, from_status, to_status, at, reason) VALUES (?, ?, ?, ?, ?)')
      .run(runId, row.status, to, at, runReason(outcome) ?? null);
    const closesStreams = streamStatusClosedWith(to);
    if (closesStreams !== undefined) {
      const open = this.#db
        .prepare(
          `SELECT stream, status FROM stream_runs WHERE run_id = ? AND status IN ('pending', 'running', 'retrying') ORDER BY position`,
        )
        .all(runId) as { stream: string; status: StreamStatus }[];
      // closed with the run: its event reports them, with every stream's status
      for (const s of open) this.#moveStream(runId, s.stream, s.status, closesStreams, runReason(outcome), false);
    }
    const type = runEventType(to);
    if (type === undefined) return;
    const run = this.getRun(runId) as RunRecord;
    this.#events.insert({ type, pipeline: row.pipeline, runId, payload: runEventPayload(run, runReason(outcome)), at });
  }

  #moveStream(
    runId: number,
    stream: string,
    from: StreamStatus,
    to: StreamStatus,
    reason: string | undefined,
    event = true,
  ): void {
    const at = this.#now().toISOString();
    const running = to === 'running' ? 1 : 0;
    this.#db
      .prepare(
        `UPDATE stream_runs SET status = ?, attempts = attempts + ?,
          started_at = CASE WHEN ? = 1 THEN COALESCE(started_at, ?) ELSE started_at END,
          finished_at = CASE WHEN ? = 1 THEN ? ELSE finished_at END
        WHERE run_id = ? AND stream = ?`,
      )
      .run(to, running, running, at, isTerminalStreamStatus(to) ? 1 : 0, at, runId, stream);
    this.#db
      .prepare(
        `INSERT INTO state_transitions (run_id, stream, from_status, to_status, at, reason) VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(runId, stream, from, to, at, reason ?? null);
    const type = event ? streamEventType(from, to) : undefined;
    if (type === undefined) return;
    const { pipeline } = this.#db.prepare('SELECT pipeline FROM runs WHERE run_id = ?').get(runId) as {
      pipeline: string;
    };
    const payload = streamEventPayload(toStreamRecord(this.#streamRow(runId, stream)), reason);
    this.#events.insert({ type, pipeline, runId, stream, payload, at });
  }

  getRun(runId: number): RunRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow | undefined;
    return row === undefined ? undefined : this.#withStreams([row])[0];
  }

  listRuns(options: { pipeline?: string; limit?: number } = {}): RunRecord[] {
    const limit = options.limit === undefined ? -1 : requirePositiveInteger('limit', options.limit);
    const rows = (
      options.pipeline === undefined
        ? this.#db.prepare('SELECT * FROM runs ORDER BY run_id DESC LIMIT ?').all(limit)
        : this.#db
            .prepare('SELECT * FROM runs WHERE pipeline = ? ORDER BY run_id DESC LIMIT ?')
            .all(options.pipeline, limit)
    ) as RunRow[];
    return this.#withStreams(rows);
  }

  listTransitions(runId: number, stream?: string): TransitionRecord[] {
    const rows = (
      stream === undefined
        ? this.#db.prepare('SELECT * FROM state_transitions WHERE run_id = ? ORDER BY id').all(runId)
        : this.#db
            .prepare('SELECT * FROM state_transitions WHERE run_id = ? AND stream = ? ORDER BY id')
            .all(runId, stream)
    ) as TransitionRow[];
    return rows.map((r) => ({
      runId: r.run_id,
      stream: r.stream,
      from: r.from_status,
      to: r.to_status,
      at: r.at,
      ...(r.reason === null ? {} : { reason: r.reason }),
    }));
  }

  #streamRow(runId: number, stream: string): StreamRow {
    const row = this.#db.prepare('SELECT * FROM stream_runs WHERE run_id = ? AND stream = ?').get(runId, stream) as
      StreamRow | undefined;
    if (row !== undefined) return row;
    if (this.#db.prepare('SELECT 1 FROM runs WHERE run_id = ?').get(runId) === undefined) throw runNotFound(runId);
    throw new StateError('STREAM_NOT_FOUND', `run ${runId} has no stream "${stream}"`, { details: { runId, stream } });
  }

  #withStreams(runs: RunRow[]): RunRecord[] {
    if (runs.length === 0) return [];
    const ids = runs.map((r) => r.run_id);
    const streamRows = this.#db
      .prepare(`SELECT * FROM stream_runs WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, position`)
      .all(JSON.stringify(ids)) as StreamRow[];
    const byRun = new Map<number, StreamRunRecord[]>(ids.map((id) => [id, []]));
    for (const s of streamRows) byRun.get(s.run_id)?.push(toStreamRecord(s));
    return runs.map((r) => ({
      runId: r.run_id,
      pipeline: r.pipeline,
      status: r.status,
      startedAt: r.started_at,
      ...(r.finished_at === null ? {} : { finishedAt: r.finished_at }),
      ...(r.holder_pid === null ? {} : { holder: { pid: r.holder_pid, host: r.holder_host ?? '' } }),
      ...(r.error_code === null
        ? {}
        : { error: { code: r.error_code, kind: r.error_kind ?? 'permanent', message: r.error_message ?? '' } }),
      streams: byRun.get(r.run_id) ?? [],
    }));
  }
}

function runNotFound(runId: number): StateError {
  return new StateError('RUN_NOT_FOUND', `run ${runId} does not exist in the state DB`, { details: { runId } });
}

function toStreamRecord(s: StreamRow): StreamRunRecord {
  return {
    runId: s.run_id,
    stream: s.stream,
    status: s.status,
    attempts: s.attempts,
    ...(s.started_at === null ? {} : { startedAt: s.started_at }),
    ...(s.finished_at === null ? {} : { finishedAt: s.finished_at }),
    counts: {
      rowsRead: s.rows_read,
      rowsWritten: s.rows_written,
      bytesRead: s.bytes_read,
      bytesWritten: s.bytes_written,
      rowsSkipped: s.rows_skipped,
      rowsDeadLettered: s.rows_dead_lettered,
      rowsRolledBack: s.rows_rolled_back,
      ...(s.stalls > 0 ? { stalls: s.stalls } : {}),
    },
    ...(s.error_code === null
      ? {}
      : { error: { code: s.error_code, kind: s.error_kind ?? 'permanent', message: s.error_message ?? '' } }),
    ...(retriesExhausted(s.status, s.error_kind ?? undefined) ? { retriesExhausted: true as const } : {}),
  };
}
