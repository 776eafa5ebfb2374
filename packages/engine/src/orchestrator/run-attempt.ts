import { MessageChannel } from 'node:worker_threads';
import { checkpointKey } from '@rapidbyte/sdk/contract';
import type { WarmWorkers } from './warm-workers.js';
import { WorkerPool } from './worker-pool.js';
import { StepClock } from '../runtime/step-clock.js';
import { ExternalWaits } from '../runtime/external-waits.js';
import type { DeadLetter, StateStore } from '../state/index.js';
import { recordCommittedCheckpoint } from './checkpoint-recorder.js';
import { chainStages, connectorStatePrefix, CONNECTOR_STATE_SCOPE } from './connector-state.js';
import { deadLetterFaultInjector, commitMessageFaultInjector } from './fault-injector.js';
import type { Interrupts } from './interrupts.js';
import type { TestFaults } from './engine-options.js';
import type { RunEventListener } from './run-event.js';
import type { StreamFailure } from './run-result.js';
import type { StreamCounters, StreamTask, WorkerControl, WorkerMessage } from './stream-task.js';
import type { HubStallProbe } from '../cdc/replication-hub.js';
import { stallCode, stallVerdict } from './stall-watchdog.js';

/** How long a batch stream may drain after the first signal before it is stopped at once (the process exits within 10 s). */
export const DEFAULT_DRAIN_GRACE_MS = 8_000;

/** Dead letters written to the state DB in one transaction (also at each committed checkpoint and at the end). */
const DEAD_LETTER_BATCH = 500;

/** How one attempt of a stream's chain ended. */
export interface AttemptOutcome {
  readonly counters: StreamCounters;
  readonly error?: StreamFailure;
  /** The payload of the last checkpoint the destination committed in this attempt (JSON). */
  readonly lastCommitted?: string;
  /** The stall watchdog ended the attempt (its error is `CDC_STALLED` / `STREAM_STALLED`). */
  readonly stalled?: boolean;
}

/** What the stall watchdog reads besides the worker's own progress. */
export interface StallWatch {
  /** cdc: the stream's state on its replication hub (undefined while it snapshots). */
  readonly probe?: () => HubStallProbe | undefined;
}

/** What `runAttempt` runs and with what. */
export interface AttemptRun {
  readonly task: StreamTask;
  readonly state: StateStore;
  readonly onEvent: RunEventListener;
  readonly interrupts: Interrupts | undefined;
  /** Called after each destination commit, before the state DB records it. */
  readonly afterCommit: () => Promise<void>;
  /** How long the attempt may drain after an interrupt before it is stopped at once (default {@link DEFAULT_DRAIN_GRACE_MS}). */
  readonly drainGraceMs?: number | undefined;
  /** Workers started ahead of their task: one is taken when there is one left (without a `pool`). */
  readonly warm?: WarmWorkers | undefined;
  /** The run's workers: the attempt borrows one and gives it back (a fresh one when absent). */
  readonly pool?: WorkerPool | undefined;
  /** Follows each committed checkpoint's record with the attempt's counters at that commit. */
  readonly onRecorded?: ((committed: StreamCounters) => Promise<void>) | undefined;
  readonly stall?: StallWatch;
  /** Test-only faults of the run. */
  readonly faults?: TestFaults | undefined;
}

/**
 * Runs one attempt of a stream's chain in a worker thread borrowed from `pool` (without one, a
 * worker of its own: a warm one from `warm` when there is one left). The attempt talks to its
 * task over a channel of its own, so a worker may run other tasks meanwhile. A worker whose
 * attempt failed is not kept. When the run is interrupted, the worker is asked to drain; if it has not finished
 * `drainGraceMs` later, to stop at once.
 */
export function runAttempt(run: AttemptRun): Promise<AttemptOutcome> {
  const {
    state,
    onEvent,
    interrupts,
    afterCommit,
    drainGraceMs = DEFAULT_DRAIN_GRACE_MS,
    warm,
    pool,
    onRecorded,
    stall = {},
    faults,
  } = run;
  let { task } = run;
  const name = task.stream.name;
  let counters: StreamCounters = { rowsRead: 0, bytesRead: 0, rowsWritten: 0, bytesWritten: 0 };
  let error: StreamFailure | undefined;
  /** Rows the destination had received past its last commit (the last progress report). */
  let uncommitted = 0;
  // Committed checkpoints are recorded one at a time, in the order the destination reported them;
  // the attempt resolves only once every one of them is recorded.
  let recorded: Promise<void> = Promise.resolve();
  let recordFailed = false;
  let lastCommitted: string | undefined;
  const deadLetters: DeadLetter[] = [];
  const afterDeadLetters = deadLetterFaultInjector(faults);
  const onCommitMessage = commitMessageFaultInjector(faults);
  /**
   * Queues the buffered dead letters' write in order with the checkpoint records. The write is
   * idempotent (the state DB skips a letter it has: same pipeline, stream, record and error), so
   * an interval replayed after a crash between this write and its checkpoint adds no copies.
   */
  const flushDeadLetters = (): void => {
    if (deadLetters.length === 0) return;
    const letters = deadLetters.splice(0);
    recorded = recorded.then(async () => {
      try {
        await state.addDeadLetters(letters);
        afterDeadLetters();
      } catch (e) {
        error ??= {
          kind: 'permanent',
          code: 'STATE_WRITE_FAILED',
          message: `could not record ${letters.length} dead letter(s) in the state DB: ${(e as Error).message}`,
          stage: 'host',
        };
      }
    });
  };
  // The chain's stages in the worker's order: the step clock's slots and the names of its stages.
  const stageNames = [task.source, ...task.transforms, task.destination].map(
    (s) => `${s.role}:${s.component.connector}`,
  );
  const timeoutMs = task.resources.connectorStepTimeoutMs;
  const clock = timeoutMs !== undefined ? StepClock.create(stageNames.length) : undefined;
  if (clock) task = { ...task, stepClock: clock.buffer };
  const stallMs = task.resources.stallTimeoutMs;
  const waits = stallMs !== undefined ? ExternalWaits.create(stageNames.length) : undefined;
  if (waits) task = { ...task, waitClock: waits.buffer };
  let stalled = false;
  /**
   * The watchdog is armed by the worker's first message: starting a worker thread and
   * instantiating its components is the host's own work (seconds on a busy machine), not
   * progress the stream owes.
   */
  let armed = false;
  /** The last time rows or bytes moved or a checkpoint committed (ms since the epoch). */
  let lastProgressAt = Date.now();
  let lastMoved = '';
  /** A wait on the database was reported (once per wait without progress). */
  let waitReported = false;
  const moved = (): void => {
    lastProgressAt = Date.now();
    waitReported = false;
  };
  return new Promise((resolve) => {
    const own = pool
      ? undefined
      : new WorkerPool({ maxWorkers: 1, nodeNavigator: task.switches?.nodeNavigator !== false, warm });
    const lease = (pool ?? (own as WorkerPool)).acquire();
    const worker = lease.worker;
    onEvent({
      type: 'log',
      stream: name,
      stage: 'engine',
      level: 'debug',
      message: `attempt ${task.attempt} runs on stream worker ${lease.id} (its task ${lease.tasks})`,
    });
    const channel = new MessageChannel();
    const port = channel.port1;
    const transferList = [channel.port2, ...(task.replicationPort ? [task.replicationPort] : [])];
    worker.postMessage({ type: 'task', task, port: channel.port2 } satisfies WorkerControl, transferList);
    let hardStop: NodeJS.Timeout | undefined;
    const control = (hard: boolean): void => port.postMessage({ type: 'cancel', hard } satisfies WorkerControl);
    const cancel = (): void => {
      control(false);
      hardStop ??= setTimeout(() => {
        onEvent({
          type: 'log',
          stream: name,
          stage: 'engine',
          level: 'warn',
          message: `still draining after ${drainGraceMs} ms: stopping now (uncommitted work rolls back)`,
        });
        control(true);
      }, drainGraceMs);
    };
    const unsubscribe = interrupts?.subscribe(cancel);
    let finished = false;
    // A guest in a busy loop never returns to the worker's event loop: only this thread can see
    // it (the step clock) and end it. Only this stream's worker goes; the run's other streams go on.
    const watch =
      clock && timeoutMs !== undefined
        ? setInterval(
            () => {
              const late = clock.overdue(timeoutMs);
              if (!late || finished) return;
              clearInterval(watch);
              const stage = stageNames[late.slot] ?? 'host';
              error ??= {
                kind: 'transient',
                code: 'CONNECTOR_TIMEOUT',
                message: `${name}: ${stage} did not return from a step within resources.connector_step_timeout (${timeoutMs} ms); its worker was terminated (a connector stuck in a loop, or raise connector_step_timeout)`,
                stage,
              };
              lease.terminate(`${stage} of stream ${name} did not return from a step in time`);
            },
            Math.min(1_000, Math.max(50, Math.floor(timeoutMs / 10))),
          )
        : undefined;
    // The stall watchdog (see stallVerdict): a stream that owes progress and makes none for
    // stall_timeout is ended here (what was uncommitted rolls back) and restarted by runStreamTask.
    const stallTimer =
      stallMs !== undefined
        ? setInterval(
            () => {
              if (finished || !armed) return;
              const hub = stall.probe?.();
              const now = Date.now();
              const verdict = stallVerdict(
                {
                  now,
                  // a stage whose requests to its database keep completing is working, rows or not
                  lastProgressAt: Math.max(
                    lastProgressAt,
                    hub?.deliveredAt ?? 0,
                    hub ? 0 : (waits?.lastCompleted() ?? 0),
                  ),
                  replication: hub ? { position: hub.position, tableWal: hub.tableWal } : undefined,
                  externalWaitSince: waits?.inFlightSince(),
                },
                stallMs,
              );
              if (verdict.action === 'waiting' && !waitReported) {
                waitReported = true;
                onEvent({
                  type: 'stream-stalled',
                  stream: name,
                  action: 'waiting',
                  code: stallCode(task.stream.syncMode),
                  message: `${name}: ${verdict.reason}; not restarted (waiting on the database is not a stall)`,
                });
              }
              if (verdict.action !== 'stalled') return;
              clearInterval(stallTimer);
              // an attempt that already failed otherwise ends with that error, not as a stall
              stalled = error === undefined;
              error ??= {
                kind: 'transient',
                code: stallCode(task.stream.syncMode),
                message: `${name}: stalled: ${verdict.reason} (resources.stall_timeout ${stallMs} ms)`,
                stage: 'host',
              };
              lease.terminate(`stream ${name} stalled`);
            },
            Math.min(1_000, Math.max(50, Math.floor(stallMs / 10))),
          )
        : undefined;
    port.on('message', (m: WorkerMessage) => {
      if (!armed) {
        armed = true;
        moved();
      }
      switch (m.type) {
        case 'log':
          onEvent({ type: 'log', stream: name, stage: m.stage, level: m.level, message: m.message });
          break;
        case 'metrics':
          onEvent({ type: 'connector-metrics', stream: name, stage: m.stage, samples: m.samples });
          break;
        case 'progress': {
          const key = `${m.counters.rowsRead}/${m.counters.bytesRead}/${m.counters.rowsWritten}/${m.counters.bytesWritten}/${m.rowsUncommitted ?? 0}`;
          if (key !== lastMoved) {
            lastMoved = key;
            moved();
          }
          counters = m.counters;
          uncommitted = m.rowsUncommitted ?? 0;
          onEvent({ type: 'stream-progress', stream: name, counters, rowsUncommitted: uncommitted });
          break;
        }
        case 'resume':
          onEvent({
            type: 'log',
            stream: name,
            stage: 'engine',
            level: 'debug',
            message: `resume point (${m.source}): ${m.payload}`,
          });
          break;
        case 'dead-letter':
          // buffered; written in batches, always before the next committed checkpoint is recorded
          deadLetters.push({ runId: task.runId, stream: name, record: m.record, error: m.error, category: m.category });
          if (deadLetters.length >= DEAD_LETTER_BATCH) flushDeadLetters();
          break;
        case 'state-put': {
          const stage = chainStages(task)[m.slot];
          if (stage === undefined) break;
          const key = connectorStatePrefix(task.pipeline, task.stream, m.slot, stage) + m.key;
          const value = m.value;
          recorded = recorded.then(async () => {
            try {
              await state.putKv(CONNECTOR_STATE_SCOPE, key, value);
            } catch (e) {
              error ??= {
                kind: 'permanent',
                code: 'STATE_WRITE_FAILED',
                message: `could not store ${m.stage}'s connector state in the state DB: ${(e as Error).message}`,
                stage: 'host',
              };
            }
          });
          break;
        }
        case 'dead-letters-flush': {
          flushDeadLetters();
          const id = m.id;
          recorded = recorded.then(() => {
            const ok = error?.code !== 'STATE_WRITE_FAILED';
            if (!finished) port.postMessage({ type: 'dead-letters-flushed', id, ok } satisfies WorkerControl);
          });
          break;
        }
        case 'checkpoint':
          if (m.kind === 'committed') {
            onCommitMessage();
            moved();
            flushDeadLetters();
            const payload = m.payload;
            lastCommitted = payload;
            // the worker posts its counters right before a committed checkpoint: what this commit covers
            const covered = counters;
            recorded = recorded.then(async () => {
              if (recordFailed) return;
              try {
                await afterCommit();
                await recordCommittedCheckpoint(state, task.pipeline, checkpointKey(task.stream), task.runId, payload);
                await onRecorded?.(covered);
              } catch (e) {
                recordFailed = true;
                error ??= {
                  kind: 'permanent',
                  code: 'STATE_WRITE_FAILED',
                  message: `could not record a committed checkpoint in the state DB: ${(e as Error).message}`,
                  stage: 'host',
                };
                lease.terminate(`stream ${name} could not record a checkpoint`);
              }
            });
          }
          break;
        case 'done':
          flushDeadLetters();
          counters = m.counters;
          finished = true;
          if (m.error) {
            error = {
              kind: m.error.kind,
              code: m.error.code,
              message: m.error.message,
              stage: m.error.stage,
              sqlstate: m.error.sqlstate,
              column: m.error.column,
            };
          }
          end();
          break;
        default:
          break;
      }
    });
    const onError = (e: Error): void => {
      error ??= { kind: 'permanent', code: 'WORKER_CRASHED', message: e.message, stage: 'host' };
    };
    const onExit = (): void => {
      if (!finished) {
        const endedBy = lease.endedBy();
        // another stream on a shared worker ended it: this attempt did nothing wrong, so it is retried
        error ??= endedBy
          ? {
              kind: 'transient',
              code: 'WORKER_EXITED',
              message: `stream worker was ended before finishing (${endedBy}); restarting from the last commit`,
              stage: 'host',
            }
          : {
              kind: 'permanent',
              code: 'WORKER_EXITED',
              message: 'stream worker exited before finishing',
              stage: 'host',
            };
        // the worker died: its open transaction rolled back with its connections
        if (uncommitted > 0) counters = { ...counters, rowsRolledBack: (counters.rowsRolledBack ?? 0) + uncommitted };
      }
      end();
    };
    let ended = false;
    /** The attempt is over (`done`, or its worker exited): the worker goes back to the pool unless the attempt failed. */
    const end = (): void => {
      if (ended) return;
      ended = true;
      finished = true;
      clearInterval(watch);
      clearInterval(stallTimer);
      unsubscribe?.();
      clearTimeout(hardStop);
      worker.off('error', onError);
      worker.off('exit', onExit);
      port.close();
      lease.release(error !== undefined);
      if (own) void own.close();
      void recorded.then(() => resolve({ counters, error, lastCommitted, ...(stalled ? { stalled } : {}) }));
    };
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
