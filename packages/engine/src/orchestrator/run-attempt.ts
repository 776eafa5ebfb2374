import { Worker } from 'node:worker_threads';
import type { StateStore } from '../state/index.js';
import { recordCommittedCheckpoint } from './checkpoint-recorder.js';
import type { RunEventListener } from './run-event.js';
import type { StreamFailure } from './run-result.js';
import type { StreamCounters, StreamTask, WorkerMessage } from './stream-task.js';

/** How one attempt of a stream's chain ended. */
export interface AttemptOutcome {
  readonly counters: StreamCounters;
  readonly error?: StreamFailure;
  /** The payload of the last checkpoint the destination committed in this attempt (JSON). */
  readonly lastCommitted?: string;
}

/** Runs one attempt of a stream's chain in a worker thread. */
export function runAttempt(task: StreamTask, state: StateStore, onEvent: RunEventListener, signal: AbortSignal | undefined, afterCommit: () => Promise<void>): Promise<AttemptOutcome> {
  const name = task.stream.name;
  let counters: StreamCounters = { rowsRead: 0, bytesRead: 0, rowsWritten: 0, bytesWritten: 0 };
  let error: StreamFailure | undefined;
  // Committed checkpoints are recorded one at a time, in the order the destination reported them;
  // the attempt resolves only once every one of them is recorded.
  let recorded: Promise<void> = Promise.resolve();
  let recordFailed = false;
  let lastCommitted: string | undefined;
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./stream-worker.js', import.meta.url), {
      workerData: task,
      transferList: task.replicationPort ? [task.replicationPort] : [],
    });
    const cancel = (): void => worker.postMessage({ type: 'cancel' });
    signal?.addEventListener('abort', cancel);
    if (signal?.aborted) cancel();
    let finished = false;
    worker.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'log':
          onEvent({ type: 'log', stream: name, stage: m.stage, level: m.level, message: m.message });
          break;
        case 'progress':
          counters = m.counters;
          onEvent({ type: 'stream-progress', stream: name, counters });
          break;
        case 'resume':
          onEvent({ type: 'log', stream: name, stage: 'engine', level: 'debug', message: `resume point (${m.source}): ${m.payload}` });
          break;
        case 'checkpoint':
          if (m.kind === 'committed') {
            const payload = m.payload;
            lastCommitted = payload;
            recorded = recorded.then(async () => {
              if (recordFailed) return;
              try {
                await afterCommit();
                await recordCommittedCheckpoint(state, task.pipeline, name, task.runId, payload);
              } catch (e) {
                recordFailed = true;
                error ??= { kind: 'permanent', code: 'STATE_WRITE_FAILED', message: `could not record a committed checkpoint in the state DB: ${(e as Error).message}`, stage: 'host' };
                void worker.terminate();
              }
            });
          }
          break;
        case 'done':
          counters = m.counters;
          finished = true;
          if (m.error) {
            error = { kind: m.error.kind, code: m.error.code, message: m.error.message, stage: m.error.stage, sqlstate: m.error.sqlstate, column: m.error.column };
          }
          void worker.terminate();
          break;
        default:
          break;
      }
    });
    worker.on('error', (e) => {
      error ??= { kind: 'permanent', code: 'WORKER_CRASHED', message: e.message, stage: 'host' };
    });
    worker.on('exit', () => {
      signal?.removeEventListener('abort', cancel);
      if (!finished) error ??= { kind: 'permanent', code: 'WORKER_EXITED', message: 'stream worker exited before finishing', stage: 'host' };
      void recorded.then(() => resolve({ counters, error, lastCommitted }));
    });
  });
}
