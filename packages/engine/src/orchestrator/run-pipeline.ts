import { availableParallelism, hostname } from 'node:os';
import type { StreamContext } from '@rapidbyte/sdk/contract';
import type { ConnectorRef, PipelineConfig, StreamConfig } from '../config/index.js';
import type { CapabilityPolicy } from '../runtime/capability-policy.js';
import { compileComponentModules, type ComponentModules } from '../runtime/component-modules.js';
import type { ConnectorRegistry } from '../runtime/connector-registry.js';
import type { StateStore } from '../state/index.js';
import type { RunEventListener } from './run-event.js';
import type { RunResult, StreamResult } from './run-result.js';
import { faultInjector } from './fault-injector.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { runStreamTask } from './run-stream-task.js';
import { Semaphore } from './semaphore.js';
import { parseStreamName } from '@rapidbyte/sdk/postgres';
import type { StageTask, StreamTask } from './stream-task.js';

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
              checkpointIntervalBytes: config.resources.checkpointIntervalBytes,
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
