import { dirname } from 'node:path';
import { availableParallelism, hostname } from 'node:os';
import {
  assertDistinctDestinationTables,
  destinationTableOf,
  redactSecrets,
  type ConnectorRef,
  type PipelineConfig,
} from '../config/index.js';
import { checkHost } from '../runtime/capability-policy.js';
import { capabilityPolicyOf } from './capability-policy-of.js';
import { bindingsUrlOf, compileComponentModules, type ComponentModules } from '../runtime/component-modules.js';
import type { ConnectorRegistry } from '../runtime/connector-registry.js';
import { MEMORY_REPORT_MS, memoryReport } from '../runtime/memory-report.js';
import { dryRunStateStore, type StateStore } from '../state/index.js';
import type { RunEventListener } from './run-event.js';
import type { RunResult, StreamResult } from './run-result.js';
import { faultInjector } from './fault-injector.js';
import type { TestFaults, WorkerSwitches } from './engine-options.js';
import { Interrupts } from './interrupts.js';
import { RunDeadlines } from './stream-deadline.js';
import { cdcLagRecorder } from './cdc-lag-recorder.js';
import type { RetryPolicy } from './retry-policy.js';
import { runOutcomeOf, thrownRunOutcome } from './run-outcome.js';
import { runStreamTask } from './run-stream-task.js';
import { Semaphore } from './semaphore.js';
import type { WarmWorkers } from './warm-workers.js';
import { WorkerPool } from './worker-pool.js';
import type { ResumeGate, StreamTask } from './stream-task.js';
import { streamTaskOf } from './stream-task-of.js';
import { LOCAL_CHAINS, type ChainRunner } from './chain-runner.js';
import { streamContext } from './stream-context.js';
import type { HubRegistry } from '../cdc/hub-registry.js';
import { parseLsn } from '../replication/lsn.js';
import { storedCheckpoint } from './checkpoint-recorder.js';
import { parseConnectionConfig, type ConnectionConfig } from '@rapidbyte/sdk/postgres';
import { ShardCoordinator } from '../sharding/shard-coordinator.js';
import { runShardedStream } from './run-sharded-stream.js';
import { chainsOf, shardRequest, type ShardRequest } from '../sharding/shard-request.js';
import { loadShardPlan } from '../sharding/shard-plan.js';
import { subscriptionsOf } from '../events/notification-target.js';
import { smallTables } from './small-tables.js';

export interface RunOptions {
  readonly registry: ConnectorRegistry;
  readonly state: StateStore;
  readonly onEvent?: RunEventListener;
  /** Aborts the run: workers stop at their next step. */
  readonly signal?: AbortSignal;
  /**
   * The most workers the run's CDC streams share (default: the cores, at least 2). CDC streams
   * mostly wait on the replication hub, so many run in one worker; memory then grows with the
   * workers, not with the tables.
   */
  readonly cdcWorkers?: number;
  /**
   * How many light batch streams share one `parallelism` permit (default {@link LIGHT_STREAMS_PER_PERMIT};
   * 1: one stream per permit). A stream is light until it has read {@link LIGHT_STREAM_ROWS} rows or
   * {@link LIGHT_STREAM_BYTES} bytes or run {@link LIGHT_STREAM_MS} ms; then it takes a whole permit.
   */
  readonly lightStreamsPerPermit?: number;
  /** Overrides the retry backoff of `resources.retry` (tests); `maxRetries` always comes from the config. */
  readonly retry?: Partial<Omit<RetryPolicy, 'maxRetries'>>;
  /** CDC streams keep streaming until the signal aborts (then drain, commit, acknowledge). */
  readonly follow?: boolean;
  /**
   * `--dry-run`: sources read and a built-in sink counts and drops the rows (no destination
   * component, nothing written, no run/cursor/state recorded; the pipeline lock is still taken).
   * CDC streams are skipped (reading them would create a replication slot).
   */
  readonly dryRun?: boolean;
  /** `--limit N` (dry runs only): at most N rows read per stream. */
  readonly limit?: number;
  /** `--full-refresh`: every stream ignores its stored cursor/watermark this run (cdc: re-snapshot). */
  readonly fullRefresh?: boolean;
  /** How long a batch stream may drain after the signal before it stops at once (default 8 s). */
  readonly drainGraceMs?: number;
  /**
   * Worker pools owned by the caller (a warm engine): the run sizes them for itself, runs its
   * streams on them and leaves them open, so the workers, their loaded modules and connector
   * instances serve the next run. Without them the run starts its own and ends them.
   */
  readonly pools?: RunPools;
  /** Stream workers started ahead (the CLI starts one while it loads); the run closes what is left. */
  readonly warm?: WarmWorkers;
  /**
   * CDC streams of the pipeline that this run leaves out (`--streams`). They share the source's
   * slot, so their committed LSNs stay floors: the slot is never acknowledged past a change they
   * have not applied yet (also under `--full-refresh`, which re-snapshots only the streams run).
   */
  readonly heldCdcStreams?: readonly string[];
  /**
   * Component compiles already under way ({@link compileAhead}), by connector directory: the run
   * takes them instead of starting its own.
   */
  readonly compiled?: Map<string, Promise<ComponentModules>>;
  /** `always`: sources wait for the destination's resume point even where it is known to be empty (default `skip-when-empty`). */
  readonly resumeGate?: ResumeGate;
  /** The stream workers' switches (each defaults to on). */
  readonly switches?: Partial<WorkerSwitches>;
  /** Test-only faults (the CLI's `RAPIDBYTE_TEST_FAULT`). */
  readonly faults?: TestFaults;
  /** Where batch chains (streams and shards) run; default: worker threads of this process. */
  readonly chains?: ChainRunner;
}

/** The worker pools of {@link RunOptions.pools}: one for batch streams, one for CDC streams. */
export interface RunPools {
  readonly batch: WorkerPool;
  readonly cdc: WorkerPool;
}

/**
 * Light batch streams per `parallelism` permit by default: one (off). A small table costs a stream
 * mostly round trips to the databases, not CPU, so several per permit overlap them — measured
 * (200 tables × 100 rows, 2 cores under load) 13.3 s wall with 4 per permit against 19.7 s with 1,
 * CPU-s alike — but it runs streams side by side that `parallelism: 1` used to run one after the
 * other, and dest-postgres's replace is not safe side by side for two tables whose names are cut
 * to the same 63 bytes (their primary keys' renames collide: one stream fails). `RAPIDBYTE_LIGHT_STREAMS=4`
 * (or `lightStreamsPerPermit`) turns it on. Only a stream whose source table is known to be small
 * ({@link LIGHT_TABLE_BYTES} on disk, one catalog query for all) starts light; any other takes a
 * whole permit from its start.
 */
export const LIGHT_STREAMS_PER_PERMIT = 1;
export const LIGHT_TABLE_BYTES = 4 * 1024 * 1024;
export const LIGHT_STREAM_ROWS = 50_000;
export const LIGHT_STREAM_BYTES = 8 * 1024 * 1024;
export const LIGHT_STREAM_MS = 2_000;

/** `--limit` outside a dry run, or a bad limit. */
export class RunOptionsInvalid extends Error {
  readonly kind = 'permanent' as const;
  readonly code = 'CONFIG_INVALID';
}

/** A connector that cannot be run (not found or not built). */
export class ConnectorUnavailable extends Error {
  readonly kind = 'permanent' as const;
  readonly code = 'CONNECTOR_UNAVAILABLE';
}

/**
 * `parallelism: auto`: one chain keeps two cores busy (its two Postgres backends), so half the
 * cores. Never more than the chains there are to run (`chains`: batch streams, shards counted).
 */
export function resolveParallelism(parallelism: number | 'auto', chains: number): number {
  const wanted = parallelism === 'auto' ? Math.max(1, Math.floor(availableParallelism() / 2)) : parallelism;
  return Math.max(1, Math.min(wanted, chains));
}

async function compile(
  registry: ConnectorRegistry,
  ref: ConnectorRef,
  cache: Map<string, Promise<ComponentModules>>,
): Promise<ComponentModules> {
  const found = registry.resolve(ref.use);
  if (!found)
    throw new ConnectorUnavailable(`connector '${ref.use}' not found (searched ${registry.searchPath.join(', ')})`);
  if (!found.built)
    throw new ConnectorUnavailable(`connector '${ref.use}' at ${found.dir} is not built: run \`pnpm build\``);
  let compiled = cache.get(found.dir);
  if (!compiled) {
    compiled = compileComponentModules(found.manifest.name, found.bindingsDir);
    cache.set(found.dir, compiled);
  }
  return compiled;
}

/**
 * Starts compiling a pipeline's components (the destination's only when `dryRun` is false) and
 * returns the compiles for {@link RunOptions.compiled}. V8 compiles on background threads: the CLI
 * calls this as soon as it has the config, so the compiles overlap opening the state DB and the
 * rest of the set-up instead of following them. A connector that cannot be compiled fails the run
 * later, where the run itself would have. `warm` workers load the components' bindings meanwhile.
 */
export function compileAhead(
  registry: ConnectorRegistry,
  config: PipelineConfig,
  dryRun: boolean,
  warm?: WarmWorkers,
): Map<string, Promise<ComponentModules>> {
  const cache = new Map<string, Promise<ComponentModules>>();
  const refs = [config.source, ...(dryRun ? [] : [config.destination]), ...config.transforms];
  for (const ref of refs) {
    // the run awaits the same promise (or tries again and reports the failure): never unhandled here
    compile(registry, ref, cache).catch(() => undefined);
  }
  const urls = refs.flatMap((ref) => {
    const found = registry.resolve(ref.use);
    return found?.built ? [bindingsUrlOf(found.bindingsDir)] : [];
  });
  warm?.preload([...new Set(urls)]);
  return cache;
}

/**
 * Opens the shard coordinator on the source: its connection config (a PostgreSQL source's `url`
 * or discrete keys) under the source's network permissions.
 */
async function openCoordinator(config: PipelineConfig, baseDir: string): Promise<ShardCoordinator> {
  const parsed = parseConnectionConfig(config.source.config as ConnectionConfig, `rapidbyte/${config.pipeline}`);
  if (!parsed.ok)
    throw new RunOptionsInvalid(`shards need a PostgreSQL source: source.config.${parsed.key} ${parsed.message}`);
  checkHost(capabilityPolicyOf(config.source, 'source', baseDir), parsed.value.host, parsed.value.port);
  return ShardCoordinator.open(parsed.value);
}

/** The replication hubs of a run, with the committed LSN of every CDC stream as a floor for the slot. */
async function openHubRegistry(
  config: PipelineConfig,
  state: StateStore,
  cdcStreams: readonly string[],
  held: readonly string[],
  follow: boolean,
  fullRefresh: boolean,
  onEvent: RunEventListener,
  faults: TestFaults,
): Promise<HubRegistry> {
  const floors = new Map<string, bigint>();
  // --full-refresh re-snapshots the streams it runs: their stored LSNs are no floor; the held ones' are
  for (const name of [...(fullRefresh ? [] : cdcStreams), ...held.filter((s) => !cdcStreams.includes(s))]) {
    const stored = (await storedCheckpoint(state, config.pipeline, name)) as { lsn?: unknown } | undefined;
    if (typeof stored?.lsn === 'string') floors.set(name, parseLsn(stored.lsn));
  }
  // loaded only for CDC runs (the replication modules bring Arrow and the decoders along)
  const { HubRegistry } = await import('../cdc/hub-registry.js');
  return new HubRegistry({
    follow,
    expected: new Set(cdcStreams),
    floors,
    restartDelayMs: faults.delayHubRestartMs ?? 0,
    mute: faults.muteHubStream,
    log: (level, message) => onEvent({ type: 'log', stage: 'replication', level, message }),
    onLag: cdcLagRecorder(state, config.pipeline, (message) =>
      onEvent({ type: 'log', stage: 'replication', level: 'warn', message }),
    ),
  });
}

/**
 * Runs every stream of a pipeline: one chain (source → transforms → destination) per stream in
 * its own worker thread, at most `resources.parallelism` at once. A stream's failure never hides
 * the others' results; the run is recorded in the state DB.
 */
export async function runPipeline(pipelineConfig: PipelineConfig, options: RunOptions): Promise<RunResult> {
  const { registry, onEvent = () => undefined, signal, chains: chainRunner = LOCAL_CHAINS } = options;
  const dryRun = options.dryRun === true;
  if (options.limit !== undefined && !dryRun)
    throw new RunOptionsInvalid('--limit only works with --dry-run (a limited real run would commit a partial table)');
  if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit < 0))
    throw new RunOptionsInvalid(`--limit must be a non-negative integer, got ${options.limit}`);
  // two streams into one table lose rows: refused before anything is written
  assertDistinctDestinationTables(pipelineConfig);
  const state = dryRun ? dryRunStateStore(options.state) : options.state;
  const skipped = dryRun
    ? pipelineConfig.source.streams
        .filter((s) => s.syncMode === 'cdc')
        .map((s) => ({
          stream: s.name,
          reason: 'cdc streams are not read in a dry run (it would create a replication slot)',
        }))
    : [];
  for (const s of skipped)
    onEvent({ type: 'log', stream: s.stream, stage: 'engine', level: 'warn', message: `skipped: ${s.reason}` });
  const config: PipelineConfig = dryRun
    ? {
        ...pipelineConfig,
        source: {
          ...pipelineConfig.source,
          streams: pipelineConfig.source.streams.filter((s) => s.syncMode !== 'cdc'),
        },
      }
    : pipelineConfig;
  const cache = options.compiled ?? new Map<string, Promise<ComponentModules>>();
  // a dry run never instantiates the destination, so it is not compiled either
  const [source, destination, ...transforms] = await Promise.all([
    compile(registry, config.source, cache),
    dryRun ? Promise.resolve(undefined) : compile(registry, config.destination, cache),
    ...config.transforms.map((t) => compile(registry, t, cache)),
  ]);
  const release = await state.acquirePipelineLock(config.pipeline, { pid: process.pid, host: hostname() });
  const started = performance.now();
  const interrupts = new Interrupts(signal);
  const deadlines = new RunDeadlines(interrupts, pipelineConfig.resources.timeouts, options.follow === true);
  // the main thread's share of the process (replication hub, state DB); each worker reports its own
  const memoryTimer = setInterval(
    () => onEvent({ type: 'log', stage: 'engine', level: 'debug', message: memoryReport() }),
    MEMORY_REPORT_MS,
  );
  memoryTimer.unref();
  /** The run begun and not yet finished in the run history: closed as failed if anything throws. */
  let openRunId: number | undefined;
  const nodeNavigator = options.switches?.nodeNavigator !== false;
  const reuse = options.switches?.reuseWorkers !== false;
  let pool: WorkerPool | undefined;
  let cdcPool: WorkerPool | undefined;
  try {
    // the events this run writes (and those of runs closed below) are queued for the targets of this config
    await state.syncNotificationTargets(config.pipeline, subscriptionsOf(config.notifications ?? []));
    // Holding the lock, no earlier run of this pipeline is still running: close those whose process died.
    for (const closed of await state.closeInterruptedRuns(config.pipeline)) {
      onEvent({
        type: 'log',
        stage: 'engine',
        level: 'warn',
        message: `run ${closed} of ${config.pipeline} was left open by a process that is gone: recorded as interrupted`,
      });
    }
    const names = config.source.streams.map((s) => s.name);
    const runId = await state.beginRun(config.pipeline, names);
    openRunId = runId;
    onEvent({ type: 'run-started', runId, pipeline: config.pipeline, streams: names });
    for (const s of config.source.streams) {
      const { requested, table } = destinationTableOf(s);
      const message = `destination table '${requested}' is longer than 63 bytes: loading into '${table}' (the name Postgres keeps)`;
      if (table !== requested) onEvent({ type: 'log', stream: s.name, stage: 'engine', level: 'warn', message });
    }
    const retry: RetryPolicy = {
      ...config.resources.retry,
      ...options.retry,
      maxRetries: config.resources.retry.maxRetries,
    };
    const faults = options.faults ?? {};
    const afterCommit = faultInjector(faults);
    const blockSource = faults.blockSource;
    const holdSource = faults.holdSourceAfterCommits;
    const cdcStreams = config.source.streams.filter((s) => s.syncMode === 'cdc').map((s) => s.name);
    // CDC streams mostly wait on the replication stream: they run beside the batch streams and do
    // not hold `parallelism` permits (a long-lived --follow stream never starves the others).
    const cores = availableParallelism();
    const sharding = new Map(
      config.source.streams.map((s) => [s.name, dryRun ? ({ kind: 'none' } as const) : shardRequest(s, cores)]),
    );
    for (const [stream, request] of sharding) {
      if (request.kind === 'none' && request.reason)
        onEvent({ type: 'log', stream, stage: 'engine', level: 'info', message: `shards ignored: ${request.reason}` });
    }
    const chains = config.source.streams
      .filter((s) => s.syncMode !== 'cdc')
      .reduce((n, s) => n + chainsOf(sharding.get(s.name) ?? { kind: 'none' }), 0);
    const permits = resolveParallelism(config.resources.parallelism, Math.max(1, chains));
    // A permit is `light` units: a stream starts with one unit and takes the rest of a permit once
    // it is no longer light (it keeps running meanwhile; new streams wait). A shard takes a permit.
    const light = Math.max(1, Math.floor(options.lightStreamsPerPermit ?? LIGHT_STREAMS_PER_PERMIT));
    const slots = new Semaphore(permits * light);
    const batchStreams = config.source.streams.filter((s) => s.syncMode !== 'cdc').map((s) => s.name);
    // one catalog query for all streams; a stream not known to be small takes a whole permit
    // (not asked when every batch stream has a permit of its own anyway)
    const small =
      light > 1 && !dryRun && batchStreams.length > permits
        ? await smallTables(config, batchStreams, LIGHT_TABLE_BYTES)
        : new Set<string>();
    const semaphore = { acquire: () => slots.acquire(light) };
    // Workers are kept between streams (a worker costs more to start than a small table to copy):
    // batch streams run on at most `permits` of them, the CDC streams of the run on a bounded set
    // of their own (each worker runs many of them), so memory follows the workers, not the tables.
    if (reuse) {
      const batchWorkers = Math.max(permits, Math.min(cores, permits * light));
      const cdcWorkers = Math.max(1, Math.floor(options.cdcWorkers ?? Math.max(2, cores)));
      if (options.pools) {
        pool = options.pools.batch.resize(batchWorkers);
        cdcPool = options.pools.cdc.resize(cdcWorkers);
      } else {
        pool = new WorkerPool({ maxWorkers: batchWorkers, nodeNavigator, warm: options.warm });
        if (cdcStreams.length > 0)
          cdcPool = new WorkerPool({ maxWorkers: cdcWorkers, nodeNavigator, warm: options.warm });
      }
    }
    const hubs =
      cdcStreams.length > 0
        ? await openHubRegistry(
            config,
            state,
            cdcStreams,
            options.heldCdcStreams ?? [],
            options.follow === true,
            options.fullRefresh === true,
            onEvent,
            faults,
          )
        : undefined;
    const stopHubs = interrupts.subscribe(() => hubs?.stop());
    // the run's limit drains CDC streams the way a signal does
    const stopHubsAtDeadline = deadlines.run.subscribe(() => hubs?.stop());
    await state.startRun(runId);
    const settled = await Promise.all(
      config.source.streams.map(async (stream): Promise<StreamResult> => {
        const task: StreamTask = streamTaskOf(
          config,
          streamContext(stream),
          runId,
          { source: source as ComponentModules, destination, transforms: transforms as ComponentModules[] },
          {
            ...(options.resumeGate ? { resumeGate: options.resumeGate } : {}),
            ...(options.switches ? { switches: options.switches } : {}),
            ...(dryRun ? { dryRun: options.limit === undefined ? {} : { limit: options.limit } } : {}),
            ...(blockSource?.stream === stream.name ? { blockSourceAttempts: blockSource.attempts } : {}),
            ...(holdSource?.stream === stream.name ? { holdSourceAfterCommits: holdSource.commits } : {}),
          },
        );
        const deadline = deadlines.forStream(stream);
        const controls = {
          fullRefresh: options.fullRefresh,
          drainGraceMs: options.drainGraceMs,
          warm: options.warm,
          pool: stream.syncMode === 'cdc' ? cdcPool : pool,
          interrupts: deadline.interrupts,
          deadline,
          faults,
        };
        let request: ShardRequest = sharding.get(stream.name) ?? { kind: 'none' };
        if (
          request.kind === 'none' &&
          !dryRun &&
          options.fullRefresh !== true &&
          stream.syncMode === 'full_refresh' &&
          stream.writeMode !== 'replace'
        ) {
          // an unfinished sharded pass is finished sharded, even if the config no longer asks for shards
          const unfinished = await loadShardPlan(state, config.pipeline, stream.name);
          if (unfinished) request = { kind: 'fixed', count: unfinished.count };
        }
        if (request.kind !== 'none') {
          const coordinator = (): Promise<ShardCoordinator> => openCoordinator(config, dirname(config.file));
          const sharded = await runShardedStream({
            task,
            request,
            coordinator,
            state,
            onEvent,
            signal,
            retry,
            afterCommit,
            semaphore,
            controls,
            chains: chainRunner,
          });
          if (sharded) return sharded;
        }
        if (stream.syncMode === 'cdc')
          return runStreamTask({ task, state, onEvent, signal, retry, afterCommit, hubs, controls });
        const starting = small.has(stream.name) && request.kind === 'none' ? 1 : light;
        const releaseUnit = await slots.acquire(starting);
        let grown: Promise<() => void> | undefined = starting === light ? Promise.resolve(() => undefined) : undefined;
        const grow = (): void => {
          if (light > 1) grown ??= slots.acquire(light - 1, { front: true });
        };
        const heavyAfter = setTimeout(grow, LIGHT_STREAM_MS);
        heavyAfter.unref();
        const streamEvents: RunEventListener = (event) => {
          if (
            event.type === 'stream-progress' &&
            (event.counters.rowsRead >= LIGHT_STREAM_ROWS || event.counters.bytesRead >= LIGHT_STREAM_BYTES)
          )
            grow();
          onEvent(event);
        };
        try {
          return await chainRunner.run({
            task,
            state,
            onEvent: streamEvents,
            signal,
            retry,
            afterCommit,
            hubs,
            controls,
          });
        } finally {
          clearTimeout(heavyAfter);
          releaseUnit();
          // a grant still waiting is released the moment it is given
          if (grown) void grown.then((release) => release());
        }
      }),
    );
    stopHubs();
    stopHubsAtDeadline();
    const lag = hubs ? await hubs.close() : new Map<string, { slotLagBytes?: number }>();
    const results = settled.map((r) => {
      const slotLagBytes = lag.get(r.stream)?.slotLagBytes;
      return slotLagBytes === undefined ? r : { ...r, slotLagBytes };
    });
    const failed = results.filter((r) => r.status !== 'succeeded').length;
    // --follow ends by a signal: when every stream drained and committed, that is success
    const status: RunResult['status'] =
      signal?.aborted && !(options.follow && failed === 0)
        ? 'cancelled'
        : failed === 0
          ? 'succeeded'
          : failed === results.length
            ? 'failed'
            : 'partial';
    await state.finishRun(runId, status, runOutcomeOf(status, results));
    openRunId = undefined;
    const result: RunResult = {
      runId,
      pipeline: config.pipeline,
      status,
      durationMs: performance.now() - started,
      streams: results,
      ...(dryRun ? { dryRun: true } : {}),
      ...(skipped.length > 0 ? { skipped } : {}),
    };
    onEvent({ type: 'run-finished', result });
    return result;
  } catch (error) {
    // a run that threw after it began is closed, never left pending or running
    if (openRunId !== undefined) {
      await state
        .finishRun(
          openRunId,
          'failed',
          thrownRunOutcome(error, (text) => redactSecrets(text, config)),
        )
        .catch(() => undefined);
    }
    throw error;
  } finally {
    clearInterval(memoryTimer);
    deadlines.close();
    interrupts.close();
    if (!options.pools) await Promise.all([pool?.close(), cdcPool?.close()]);
    await options.warm?.close();
    await release();
  }
}
