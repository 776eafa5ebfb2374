import { availableParallelism, hostname } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { StreamContext } from '@rapidbyte/sdk/contract';
import type { ConnectorRef, PipelineConfig, StreamConfig } from '../config/index.js';
import type { CapabilityPolicy } from '../runtime/capability-policy.js';
import { compileComponentModules, type ComponentModules } from '../runtime/component-modules.js';
import type { ConnectorRegistry } from '../runtime/connector-registry.js';
import type { StateStore } from '../state/index.js';
import type { RunEventListener } from './run-event.js';
import type { RunResult, StreamFailure, StreamResult } from './run-result.js';
import { recordCommittedCheckpoint, storedCheckpoint } from './checkpoint-recorder.js';
import { RESET_SCOPE, resetKey } from './reset-marker.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { Semaphore } from './semaphore.js';
import { parseStreamName } from '@rapidbyte/sdk/postgres';
import type { StageTask, StreamCounters, StreamTask, WorkerMessage } from './stream-task.js';

export interface RunOptions {
  readonly registry: ConnectorRegistry;
  readonly state: StateStore;
  readonly onEvent?: RunEventListener;
  /** Aborts the run: workers stop at their next step. */
  readonly signal?: AbortSignal;
  /** Overrides the retry backoff (tests); `maxRetries` comes from `resources.max_retries`. */
  readonly retry?: Partial<Omit<RetryPolicy, 'maxRetries'>>;
}

/** A connector that cannot be run (not found or not built). */
export class ConnectorUnavailable extends Error {
  readonly kind = 'permanent' as const;
  readonly code = 'CONNECTOR_UNAVAILABLE';
}

/** `parallelism: auto`: one chain keeps two cores busy (its two Postgres backends), so half the cores. */
export function resolveParallelism(parallelism: number | 'auto', streams: number): number {
  const wanted = parallelism === 'auto' ? Math.max(1, Math.floor(availableParallelism() / 2)) : parallelism;
  return Math.max(1, Math.min(wanted, streams));
}

async function compile(registry: ConnectorRegistry, ref: ConnectorRef, cache: Map<string, Promise<ComponentModules>>): Promise<ComponentModules> {
  const found = registry.resolve(ref.use);
  if (!found) throw new ConnectorUnavailable(`connector '${ref.use}' not found (searched ${registry.searchPath.join(', ')})`);
  if (!found.built) throw new ConnectorUnavailable(`connector '${ref.use}' at ${found.dir} is not built: run \`pnpm build\``);
  let compiled = cache.get(found.dir);
  if (!compiled) {
    compiled = compileComponentModules(found.manifest.name, found.bindingsDir);
    cache.set(found.dir, compiled);
  }
  return compiled;
}

function policyOf(ref: ConnectorRef): CapabilityPolicy {
  return { connector: ref.use, allowedHosts: ref.permissions.network.allowedHosts, allowedPaths: ref.permissions.fs.allowedPaths };
}

function streamContext(stream: StreamConfig): StreamContext {
  return {
    name: stream.name,
    syncMode: stream.syncMode,
    cursorField: stream.cursorField,
    lookback: stream.lookback,
    columns: stream.columns,
    writeMode: stream.writeMode,
    primaryKey: stream.primaryKey,
    destinationTable: stream.destinationTable ?? parseStreamName(stream.name).table,
  };
}

/**
 * Runs every stream of a pipeline: one chain (source → transforms → destination) per stream in
 * its own worker thread, at most `resources.parallelism` at once. A stream's failure never hides
 * the others' results; the run is recorded in the state DB.
 */
export async function runPipeline(config: PipelineConfig, options: RunOptions): Promise<RunResult> {
  const { registry, state, onEvent = () => undefined, signal } = options;
  const cache = new Map<string, Promise<ComponentModules>>();
  const [source, destination, ...transforms] = await Promise.all([
    compile(registry, config.source, cache),
    compile(registry, config.destination, cache),
    ...config.transforms.map((t) => compile(registry, t, cache)),
  ]);
  const release = await state.acquirePipelineLock(config.pipeline, { pid: process.pid, host: hostname() });
  const started = performance.now();
  try {
    const names = config.source.streams.map((s) => s.name);
    const runId = await state.beginRun(config.pipeline, names);
    onEvent({ type: 'run-started', runId, pipeline: config.pipeline, streams: names });
    const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxRetries: config.resources.maxRetries, ...options.retry };
    const afterCommit = faultInjector(process.env);
    const semaphore = new Semaphore(resolveParallelism(config.resources.parallelism, names.length));
    const stage = (role: StageTask['role'], component: ComponentModules, ref: ConnectorRef): StageTask => ({
      role,
      component,
      configJson: JSON.stringify(ref.config),
      policy: policyOf(ref),
      state: {},
    });
    const results = await Promise.all(
      config.source.streams.map(async (stream): Promise<StreamResult> => {
        const releasePermit = await semaphore.acquire();
        try {
          const task: StreamTask = {
            pipeline: config.pipeline,
            runId,
            stream: streamContext(stream),
            source: stage('source', source as ComponentModules, config.source),
            transforms: config.transforms.map((t, i) => stage('transform', transforms[i] as ComponentModules, t)),
            destination: stage('destination', destination as ComponentModules, config.destination),
            resources: {
              batchRows: config.resources.batchRows,
              maxBatchBytes: config.resources.maxBatchBytes,
              checkpointIntervalRows: config.resources.checkpointIntervalRows,
            },
            onDataError: config.destination.onDataError,
            channelCapacity: 4,
            attempt: 1,
            storedResume: undefined,
            ignoreWatermark: false,
          };
          return await runStreamTask(task, state, onEvent, signal, retry, afterCommit);
        } finally {
          releasePermit();
        }
      }),
    );
    const failed = results.filter((r) => r.status !== 'succeeded').length;
    const status: RunResult['status'] = signal?.aborted
      ? 'cancelled'
      : failed === 0
        ? 'succeeded'
        : failed === results.length
          ? 'failed'
          : 'partial';
    await state.finishRun(runId, status);
    const result: RunResult = { runId, pipeline: config.pipeline, status, durationMs: performance.now() - started, streams: results };
    onEvent({ type: 'run-finished', result });
    return result;
  } finally {
    await release();
  }
}

/** Test-only fault injection (`RAPIDBYTE_TEST_FAULT=exit-after-commit:<n>`): exits the process
 * right after the n-th destination commit and before the state DB records it. */
function faultInjector(env: NodeJS.ProcessEnv): () => void {
  const match = /^exit-after-commit:(\d+)$/.exec(env.RAPIDBYTE_TEST_FAULT ?? '');
  if (!match) return () => undefined;
  let remaining = Number(match[1]);
  return () => {
    remaining -= 1;
    if (remaining === 0) process.exit(86);
  };
}

interface AttemptOutcome {
  readonly counters: StreamCounters;
  readonly error?: StreamFailure;
}

/** Runs one attempt of a stream's chain in a worker thread. */
function runAttempt(task: StreamTask, state: StateStore, onEvent: RunEventListener, signal: AbortSignal | undefined, afterCommit: () => Promise<void>): Promise<AttemptOutcome> {
  const name = task.stream.name;
  let counters: StreamCounters = { rowsRead: 0, bytesRead: 0, rowsWritten: 0, bytesWritten: 0 };
  let error: StreamFailure | undefined;
  // Committed checkpoints are recorded one at a time, in the order the destination reported them;
  // the attempt resolves only once every one of them is recorded.
  let recorded: Promise<void> = Promise.resolve();
  let recordFailed = false;
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./stream-worker.js', import.meta.url), { workerData: task });
    const cancel = (): void => worker.postMessage({ type: 'cancel' });
    signal?.addEventListener('abort', cancel);
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
      void recorded.then(() => resolve({ counters, error }));
    });
  });
}

function addCounters(a: StreamCounters, b: StreamCounters): StreamCounters {
  return { rowsRead: a.rowsRead + b.rowsRead, bytesRead: a.bytesRead + b.bytesRead, rowsWritten: a.rowsWritten + b.rowsWritten, bytesWritten: a.bytesWritten + b.bytesWritten };
}

/**
 * Runs a stream until it succeeds, fails permanently, is cancelled or runs out of retries.
 * Every attempt restarts the chain from the last committed checkpoint.
 */
async function runStreamTask(
  task: StreamTask,
  state: StateStore,
  onEvent: RunEventListener,
  signal: AbortSignal | undefined,
  retry: RetryPolicy,
  afterCommit: () => void,
): Promise<StreamResult> {
  const name = task.stream.name;
  const startedAt = new Date();
  const t0 = performance.now();
  let counters: StreamCounters = { rowsRead: 0, bytesRead: 0, rowsWritten: 0, bytesWritten: 0 };
  let error: StreamFailure | undefined;
  let attempt = 0;
  for (;;) {
    attempt++;
    await state.transition(task.runId, name, 'running', attempt > 1 ? `attempt ${attempt}` : undefined);
    onEvent({ type: 'stream-started', stream: name, attempt });
    const resetPending = (await state.getKv(RESET_SCOPE, resetKey(task.pipeline, name))) !== undefined;
    // replace always starts over: a staging table restarts cleanly, so nothing is resumed.
    const storedResume = resetPending || task.stream.writeMode === 'replace' ? undefined : await storedCheckpoint(state, task.pipeline, name);
    const outcome = await runAttempt({ ...task, attempt, storedResume, ignoreWatermark: resetPending }, state, onEvent, signal, async () => {
      afterCommit();
      if (resetPending) await state.deleteKv(RESET_SCOPE, resetKey(task.pipeline, name));
    });
    counters = addCounters(counters, outcome.counters);
    error = outcome.error;
    if (!error || signal?.aborted || error.kind !== 'transient' || attempt > retry.maxRetries) break;
    const delay = retryDelayMs(retry, attempt);
    await state.transition(task.runId, name, 'retrying', `${error.code}: ${error.message} (retry ${attempt}/${retry.maxRetries} in ${delay} ms)`);
    onEvent({ type: 'log', stream: name, stage: 'engine', level: 'warn', message: `${error.code}: ${error.message}; retry ${attempt}/${retry.maxRetries} in ${delay} ms` });
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  const status = signal?.aborted ? 'cancelled' : error ? 'failed' : 'succeeded';
  await state.recordStreamCounts(task.runId, name, counters, error ? { code: error.code, kind: error.kind, message: error.message } : undefined);
  await state.transition(task.runId, name, status, error ? `${error.code}: ${error.message}` : undefined);
  const result: StreamResult = {
    stream: name,
    status,
    ...counters,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: performance.now() - t0,
    attempts: attempt,
    error,
  };
  onEvent({ type: 'stream-finished', result });
  return result;
}
