import { checkpointKey } from '@rapidbyte/sdk/contract';
import type { StateStore } from '../state/index.js';
import { storedCheckpoint } from './checkpoint-recorder.js';
import { RESET_SCOPE, resetKey } from './reset-marker.js';
import type { RunEventListener } from './run-event.js';
import type { StreamFailure, StreamResult } from './run-result.js';
import { runAttempt } from './run-attempt.js';
import { withConnectorState } from './connector-state.js';
import type { RetryPolicy } from './retry-policy.js';
import { RetryBudget } from './retry-budget.js';
import type { StreamCounters, StreamTask } from './stream-task.js';
import { addCounters, NO_COUNTS } from './add-counters.js';
import { recordStreamEnd, streamEndResult, type StreamEnd } from './record-stream-end.js';
import type { HubRegistry } from '../cdc/hub-registry.js';
import type { WarmWorkers } from './warm-workers.js';
import type { WorkerPool } from './worker-pool.js';
import type { TestFaults } from './engine-options.js';
import { Interrupts } from './interrupts.js';
import { stallOutcome, stallsInARow } from './stall-watchdog.js';
import { timeoutFailure, type StreamDeadline } from './stream-deadline.js';

/** Per-run controls of `rapidbyte run` that change how a stream starts and stops. */
export interface StreamRunControls {
  /**
   * `--full-refresh`: ignore the stored resume point (destination watermark and state DB) until
   * this run's first commit, which overwrites the watermark; later attempts resume from it.
   */
  readonly fullRefresh?: boolean;
  /** How long the stream may drain after the signal before it is stopped at once (ms). */
  readonly drainGraceMs?: number;
  /**
   * One shard of a sharded stream: the run history (transitions, counts) is the whole stream's,
   * kept by `runShardedStream`, so this task records none.
   */
  readonly partOfStream?: boolean;
  /** Workers started ahead of their task (the CLI starts one while it loads); used when there is no `pool`. */
  readonly warm?: WarmWorkers;
  /** The run's stream workers, kept between streams (one per attempt when absent). */
  readonly pool?: WorkerPool;
  /** The run's interrupt, fanned out (one listener on `signal` for all streams); made from `signal` when absent. */
  readonly interrupts?: Interrupts;
  /**
   * A shard's counters whenever a committed checkpoint of it is recorded (its attempts so far
   * included): the sharded stream keeps the run history's counts for the whole stream.
   */
  readonly onShardCommitted?: (covered: StreamCounters) => Promise<void>;
  /** Test-only faults of the run. */
  readonly faults?: TestFaults;
  /**
   * The stream's limits (`resources.timeouts`); `interrupts` is then its `interrupts`, so that a
   * limit drains the stream the way a signal does.
   */
  readonly deadline?: StreamDeadline;
  /**
   * Attempts of this stream that ran before, in a process that is gone (a cluster worker that
   * was lost): the first attempt here is numbered after them, as the run history shows.
   */
  readonly attemptsBefore?: number;
}

/** What `runStreamTask` runs and with what. */
export interface StreamTaskRun {
  readonly task: StreamTask;
  readonly state: StateStore;
  readonly onEvent: RunEventListener;
  readonly signal?: AbortSignal | undefined;
  readonly retry: RetryPolicy;
  /** Called after each destination commit, before the state DB records it (a test fault's hook). */
  readonly afterCommit: () => void;
  /** The run's replication hubs (CDC streams attach to theirs). */
  readonly hubs?: HubRegistry | undefined;
  readonly controls?: StreamRunControls;
}

/**
 * Runs a stream until it succeeds, fails permanently, is cancelled or runs out of retries.
 * Every attempt restarts the chain from the last committed checkpoint.
 */
export async function runStreamTask(run: StreamTaskRun): Promise<StreamResult> {
  const { task, state, onEvent, signal, retry, afterCommit, hubs, controls = {} } = run;
  const name = task.stream.name;
  const history = controls.partOfStream !== true;
  const transition = async (to: Parameters<StateStore['transition']>[2], reason?: string): Promise<void> => {
    if (history) await state.transition(task.runId, name, to, reason);
  };
  const startedAt = new Date();
  const t0 = performance.now();
  const interrupts = controls.interrupts ?? new Interrupts(signal);
  let counters: StreamCounters = NO_COUNTS;
  let error: StreamFailure | undefined;
  let attempt = controls.attemptsBefore ?? 0;
  const firstAttempt = attempt;
  let lastCommitted: string | undefined;
  let fresh = controls.fullRefresh === true;
  // A destination that meets a rejected row fails the attempt with ROWS_REJECTED (it holds no
  // frames to load again); the next attempt resumes from the last commit with row isolation on.
  // That retry is immediate and does not count against max_retries. The budget counts transient
  // failures since the last attempt that committed something (see RetryBudget).
  let isolateRows = false;
  const budget = new RetryBudget(retry);
  // a step that timed out is retried once (a stall may be the environment's); twice is the connector's
  let timeouts = 0;
  // the stall watchdog: every stall is counted; the first restarts the stream from its last commit,
  // a second one with nothing committed since the one before fails it (see stallsInARow)
  let stalls = 0;
  let stallRun = 0;
  let committedSinceStall = false;
  /** The budget was spent: the stream failed on a transient error it was no longer retried after. */
  let retriesExhausted = false;
  controls.deadline?.start();
  // stopped by a signal or by a limit of resources.timeouts (which fires `interrupts` too)
  while (!interrupts.aborted) {
    attempt++;
    await transition('running', attempt > 1 ? `attempt ${attempt}` : undefined);
    onEvent({ type: 'stream-started', stream: name, attempt });
    const resetPending = (await state.getKv(RESET_SCOPE, resetKey(task.pipeline, name))) !== undefined;
    // replace always starts over: a staging table restarts cleanly, so nothing is resumed.
    const startOver = resetPending || fresh;
    const storedResume =
      startOver || task.stream.writeMode === 'replace'
        ? undefined
        : await storedCheckpoint(state, task.pipeline, checkpointKey(task.stream));
    const replicationPort = task.stream.syncMode === 'cdc' ? hubs?.portFor(name) : undefined;
    const before = counters;
    // the run history keeps what the committed checkpoints cover as they are recorded: a run whose
    // process dies is closed as interrupted with those counts, not zeros
    const { onShardCommitted } = controls;
    const onRecorded = history
      ? (covered: StreamCounters) => state.recordStreamCounts(task.runId, name, addCounters(before, covered))
      : onShardCommitted && ((covered: StreamCounters) => onShardCommitted(addCounters(before, covered)));
    const outcome = await runAttempt({
      task: {
        ...(await withConnectorState(task, state)),
        attempt,
        isolateRows,
        storedResume,
        ignoreWatermark: startOver,
        replicationPort,
      },
      state,
      onEvent,
      interrupts,
      afterCommit: async () => {
        afterCommit();
        if (resetPending) await state.deleteKv(RESET_SCOPE, resetKey(task.pipeline, name));
      },
      drainGraceMs: controls.drainGraceMs,
      warm: controls.warm,
      pool: controls.pool,
      onRecorded,
      stall: replicationPort ? { probe: () => hubs?.stallProbe(name) } : {},
      faults: controls.faults,
    });
    // the first commit of a full refresh overwrote the watermark: a retry resumes from it
    if (outcome.lastCommitted !== undefined) fresh = false;
    if (replicationPort) hubs?.detached(name, outcome.lastCommitted);
    lastCommitted = outcome.lastCommitted ?? lastCommitted;
    counters = addCounters(counters, outcome.counters);
    error = outcome.error;
    committedSinceStall ||= outcome.lastCommitted !== undefined;
    if (outcome.stalled && error && !interrupts.aborted) {
      stalls += 1;
      stallRun = stallsInARow(stallRun, committedSinceStall);
      committedSinceStall = false;
      if (stallOutcome(stallRun) === 'fail') {
        error = {
          ...error,
          kind: 'permanent',
          message: `${error.message}; it stalled again after a restart, with nothing committed in between: not restarted further. Look at the log of this run for the replication hub or the source, then run again`,
        };
        onEvent({ type: 'stream-stalled', stream: name, action: 'fail', code: error.code, message: error.message });
        break;
      }
      onEvent({
        type: 'stream-stalled',
        stream: name,
        action: 'restart',
        code: error.code,
        message: `${error.message}; restarting it from its last commit`,
      });
      await transition('retrying', `${error.code}: ${error.message} (restarted from the last commit)`);
      continue;
    }
    if (error?.code === 'CONNECTOR_TIMEOUT' && ++timeouts > 1)
      error = { ...error, kind: 'permanent', message: `${error.message} (again on retry: not retried further)` };
    if (error?.code === 'ROWS_REJECTED' && !isolateRows && !interrupts.aborted) {
      isolateRows = true;
      await transition('retrying', `${error.code}: ${error.message}`);
      onEvent({
        type: 'log',
        stream: name,
        stage: 'engine',
        level: 'info',
        message: `${error.message}; loading again from the last commit with rejected rows isolated`,
      });
      continue;
    }
    if (!error || interrupts.aborted || error.kind !== 'transient') break;
    // progress: the failed attempt committed a checkpoint (the budget counts consecutive failures)
    const grant = budget.failed(outcome.lastCommitted !== undefined);
    if (!grant) {
      retriesExhausted = true;
      break;
    }
    if (grant.reset) {
      onEvent({
        type: 'log',
        stream: name,
        stage: 'engine',
        level: 'info',
        message: `committed since the last retry: the retry budget (max_retries ${retry.maxRetries}) starts again`,
      });
    }
    const delay = grant.delayMs;
    await transition(
      'retrying',
      `${error.code}: ${error.message} (retry ${grant.retry}/${retry.maxRetries} in ${delay} ms)`,
    );
    onEvent({
      type: 'log',
      stream: name,
      stage: 'engine',
      level: 'warn',
      message: `${error.code}: ${error.message}; retry ${grant.retry}/${retry.maxRetries} in ${delay} ms`,
    });
    await interruptibleDelay(delay, interrupts);
  }
  if (controls.interrupts === undefined) interrupts.close();
  // a CDC stream interrupted at a transaction boundary drained and committed: it succeeded
  if (task.stream.syncMode === 'cdc') hubs?.finished(name);
  // a limit of resources.timeouts stopped the stream: it drained like on a signal, and failed
  const expired = controls.deadline?.expired;
  if (expired) {
    error = timeoutFailure(name, expired, lastCommitted !== undefined);
    retriesExhausted = false;
  }
  const status = expired
    ? 'failed'
    : attempt === firstAttempt
      ? 'cancelled'
      : error
        ? signal?.aborted
          ? 'cancelled'
          : 'failed'
        : signal?.aborted && task.stream.syncMode !== 'cdc'
          ? 'cancelled'
          : 'succeeded';
  const committed =
    lastCommitted === undefined
      ? undefined
      : (JSON.parse(lastCommitted) as { lsn?: unknown; cursorValue?: unknown } | null);
  if (stalls > 0) counters = { ...counters, stalls };
  const ended: StreamEnd = { name, status, counters, error, startedAt, t0, attempts: attempt };
  const result: StreamResult = {
    ...(history ? await recordStreamEnd(state, task.pipeline, task.runId, ended) : streamEndResult(ended)),
    ...(typeof committed?.cursorValue === 'string' ? { cursor: committed.cursorValue } : {}),
    ...(typeof committed?.lsn === 'string' ? { lsn: committed.lsn } : {}),
    ...(retriesExhausted ? { retriesExhausted } : {}),
  };
  onEvent({ type: 'stream-finished', result });
  return result;
}

/** Waits `ms`, or less when the run is interrupted meanwhile (a backoff must not delay a SIGINT). */
function interruptibleDelay(ms: number, interrupts: Interrupts): Promise<void> {
  return new Promise((resolve) => {
    let unsubscribe: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe?.();
      resolve();
    };
    timer = setTimeout(finish, ms);
    unsubscribe = interrupts.subscribe(finish);
    if (done) unsubscribe();
  });
}
