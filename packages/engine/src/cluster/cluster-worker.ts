import { availableParallelism, hostname } from 'node:os';
import pg from 'pg';
import { DBOS, DBOSClient } from '@dbos-inc/dbos-sdk';
import { redactSecrets, selectStreams, type PipelineConfig } from '../config/index.js';
import type { TestFaults, WorkerSwitches } from '../orchestrator/engine-options.js';
import { expandPipelineStreams } from '../orchestrator/expand-stream-patterns.js';
import { faultInjector } from '../orchestrator/fault-injector.js';
import { Interrupts } from '../orchestrator/interrupts.js';
import type { RunEvent } from '../orchestrator/run-event.js';
import type { RunResult, StreamResult } from '../orchestrator/run-result.js';
import { runPipeline } from '../orchestrator/run-pipeline.js';
import { runStreamTask } from '../orchestrator/run-stream-task.js';
import { Deadline, StreamDeadline } from '../orchestrator/stream-deadline.js';
import { streamTaskOf, type ChainComponents } from '../orchestrator/stream-task-of.js';
import { WorkerPool } from '../orchestrator/worker-pool.js';
import { Semaphore } from '../orchestrator/semaphore.js';
import { compileComponentModules, type ComponentModules } from '../runtime/component-modules.js';
import type { ConnectorRegistry } from '../runtime/connector-registry.js';
import { openPostgresStateStore, openStateStore, type StateStore } from '../state/index.js';
import { tableIn } from '../state/postgres-sql.js';
import { parseCancelReason } from './cancel-reason.js';
import { ClusterChains, CHAIN_WORKFLOW, type ChainMessage } from './cluster-chains.js';
import { loadJobPipeline, type ChainJob, type RunJob } from './cluster-job.js';
import {
  CHAINS_QUEUE,
  CLUSTER_APPLICATION,
  CLUSTER_DBOS_SCHEMA,
  RUNS_QUEUE,
  ensureClusterSchema,
} from './cluster-schema.js';
import { EventChannelWriter } from './event-channel.js';
import { ownedState } from './owned-state.js';
import { LeaseSweeper } from './lease-sweeper.js';
import { WorkerLease } from './worker-lease.js';

/** The name of the coordinator workflow (one per run). */
export const RUN_WORKFLOW = 'rapidbyte-run';
/** The state schema of cluster mode (the state store's default). */
export const CLUSTER_STATE_SCHEMA = 'rapidbyte';

export const DEFAULT_LEASE_TIMEOUT_MS = 10_000;
export const WORKER_QUEUES = ['runs', 'chains'] as const;
export type WorkerQueue = (typeof WORKER_QUEUES)[number];
/** Chains in flight per worker by default: `parallelism: auto` of one machine (a chain keeps two cores busy). */
export const defaultSlots = (): number => Math.max(1, Math.floor(availableParallelism() / 2));
/** A chain reports its progress at most this often (ms): the event table is shared by the cluster. */
const PROGRESS_EVERY_MS = 250;

export interface WorkerOptions {
  /** The cluster's Postgres state DB (also the DBOS system database, in the schema `rapidbyte_dbos`). */
  readonly stateUrl: string;
  readonly workerId?: string;
  readonly slots?: number;
  /** The queues it takes work from (default both): `runs` (coordinators), `chains` (streams and shards). */
  readonly queues?: readonly WorkerQueue[];
  readonly version: string;
  /** Where `${VAR}` of a job's pipeline resolve. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly connectorsPath: readonly string[];
  readonly switches?: Partial<WorkerSwitches>;
  readonly faults?: TestFaults;
  readonly drainGraceMs?: number;
  /** A worker whose heartbeat is older than this is lost (default 10 s). */
  readonly leaseTimeoutMs?: number;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /** The lease was lost: the worker stopped its chains; the process must exit. */
  readonly onLeaseLost: (why: string) => void;
}

/** A running worker. */
export interface WorkerHandle {
  readonly workerId: string;
  readonly slots: number;
  /** Drains every chain to its last checkpoint, then leaves its workflows to the other workers. */
  stop(): Promise<void>;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A copy of a value (an event, a result) with the config's secrets removed from every text in it. */
function redactorOf(config: PipelineConfig): <T>(value: T) => T {
  return <T>(value: T): T =>
    JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
      typeof v === 'string' ? redactSecrets(v, config) : v,
    ) as T;
}

/** What one worker process shares among its chains and coordinators. */
class WorkerContext {
  readonly stores = new Map<string, Promise<StateStore>>();
  readonly compiled = new Map<string, Promise<ComponentModules>>();
  /** Aborted when the lease is lost or the worker stops: every chain and coordinator drains. */
  readonly stopping = new AbortController();
  readonly running = new Set<Promise<unknown>>();
  /** An execution stopped part-way and left its workflow PENDING for the others. */
  heldBack = false;
  /** The lease was lost: others may run this worker's chains now. */
  leaseLost = false;
  readonly chainPool: WorkerPool;
  /** This machine's `--slots`: chains beyond it wait here. */
  readonly chainSlots: Semaphore;
  client!: DBOSClient;

  constructor(
    readonly options: WorkerOptions,
    readonly workerId: string,
    readonly slots: number,
    readonly pool: pg.Pool,
  ) {
    this.chainSlots = new Semaphore(slots);
    this.chainPool = new WorkerPool({ maxWorkers: slots, nodeNavigator: options.switches?.nodeNavigator !== false });
  }

  stateOf(config: PipelineConfig): Promise<StateStore> {
    const id = `${config.state.backend}:${config.state.connection}`;
    let store = this.stores.get(id);
    if (!store) {
      store = openStateStore(config.state);
      store.catch(() => this.stores.delete(id));
      this.stores.set(id, store);
    }
    return store;
  }

  compile(registry: ConnectorRegistry, use: string): Promise<ComponentModules> {
    const found = registry.resolve(use);
    if (!found?.built)
      return Promise.reject(new Error(`connector '${use}' is not found or not built on worker ${this.workerId}`));
    let modules = this.compiled.get(found.dir);
    if (!modules) {
      modules = compileComponentModules(found.manifest.name, found.bindingsDir);
      this.compiled.set(found.dir, modules);
    }
    return modules;
  }

  /** Runs `work` as one of this worker's executions; after a stop it never settles (the process exits and others take over). */
  async execution<T>(work: () => Promise<T>): Promise<T> {
    const running = work();
    this.running.add(running);
    try {
      const result = await running;
      if (this.stopping.signal.aborted) {
        this.heldBack = true;
        await new Promise<never>(() => undefined);
      }
      return result;
    } finally {
      this.running.delete(running);
    }
  }

  /** One chain: rebuilt from the job with this worker's config, components and state store, then run as a local run does. */
  async runChain(job: ChainJob, cancelSignal: AbortSignal | undefined): Promise<StreamResult> {
    // a zombie (its lease was lost, another worker runs the chain) neither reports nor records
    const guard = { chainId: job.chainId, workerId: this.workerId };
    const channel = new EventChannelWriter(this.pool, CLUSTER_STATE_SCHEMA, job.chainId, 200, guard);
    const chains = tableIn(CLUSTER_STATE_SCHEMA, 'cluster_chains');
    const owns = async (): Promise<boolean> =>
      !this.leaseLost &&
      (
        await this.pool.query<{ worker_id: string }>(`SELECT worker_id FROM ${chains} WHERE chain_id = $1`, [
          job.chainId,
        ])
      ).rows[0]?.worker_id === this.workerId;
    const name = job.stream.name;
    const local = new AbortController();
    const signal = AbortSignal.any([local.signal, this.stopping.signal, ...(cancelSignal ? [cancelSignal] : [])]);
    let lastProgress = 0;
    let pendingProgress: RunEvent | undefined;
    const progressTimer = setInterval(() => {
      if (pendingProgress) channel.publish({ kind: 'event', event: pendingProgress } satisfies ChainMessage);
      pendingProgress = undefined;
    }, PROGRESS_EVERY_MS);
    progressTimer.unref();
    // events are stored in the state DB: the config's secrets are taken out of every text first
    let redact = <T>(value: T): T => value;
    const onEvent = (raw: RunEvent): void => {
      if (this.leaseLost) return;
      const event = redact(raw);
      if (event.type === 'stream-progress' && Date.now() - lastProgress < PROGRESS_EVERY_MS) {
        pendingProgress = event;
        return;
      }
      if (event.type === 'stream-progress') lastProgress = Date.now();
      else if (pendingProgress) {
        channel.publish({ kind: 'event', event: pendingProgress } satisfies ChainMessage);
        pendingProgress = undefined;
      }
      channel.publish({ kind: 'event', event } satisfies ChainMessage);
    };
    const log = (level: string, message: string): void =>
      onEvent({ type: 'log', stream: name, stage: 'cluster', level, message });
    // the coordinator's limits of resources.timeouts reach the chain with its cancel request: the
    // chain drains as on a signal and ends TIMEOUT, as a local stream does
    const deadline = new StreamDeadline({ interrupts: new Interrupts(signal) });
    const cancelPoll = setInterval(() => {
      this.pool
        .query<{ cancel: boolean; reason: unknown }>(
          `SELECT cancel_requested AS cancel, cancel_reason AS reason FROM ${chains} WHERE chain_id = $1`,
          [job.chainId],
        )
        .then((r) => {
          if (r.rows[0]?.cancel !== true) return;
          const reason = parseCancelReason(r.rows[0].reason);
          if (reason) deadline.expire(new Deadline(reason.scope, reason.limitMs));
          else local.abort();
        })
        .catch(() => undefined);
    }, 500);
    cancelPoll.unref();
    const startedAt = new Date();
    let result: StreamResult;
    const releaseSlot = await this.chainSlots.acquire();
    try {
      const previous = (
        await this.pool.query<{ worker_id: string; finished_at: Date | null }>(
          `SELECT worker_id, finished_at FROM ${chains} WHERE chain_id = $1`,
          [job.chainId],
        )
      ).rows[0];
      await this.pool.query(
        `INSERT INTO ${chains} (chain_id, run_id, pipeline, stream, worker_id, executions, started_at)
         VALUES ($1, $2, $3, $4, $5, 1, now())
         ON CONFLICT (chain_id) DO UPDATE SET worker_id = excluded.worker_id, executions = ${chains}.executions + 1,
           started_at = excluded.started_at, finished_at = NULL, status = NULL`,
        [job.chainId, job.runId, job.pipeline, name, this.workerId],
      );
      const { config, registry } = loadJobPipeline(job, {
        env: this.options.env,
        connectorsPath: this.options.connectorsPath,
        workerId: this.workerId,
      });
      redact = redactorOf(config);
      const state = ownedState(await this.stateOf(config), owns, () => this.stopping.signal.aborted);
      let attemptsBefore = 0;
      if (previous) {
        const why = previous.finished_at === null ? `after worker ${previous.worker_id} was lost` : 'again';
        log('warn', `re-run on worker ${this.workerId} ${why}; resuming from the last destination checkpoint`);
        if (!job.partOfStream) {
          const transitions = await state.listTransitions(job.runId, name);
          attemptsBefore = transitions.filter((t) => t.to === 'running').length;
          const last = transitions[transitions.length - 1]?.to;
          if (last === 'running')
            await state.transition(job.runId, name, 'retrying', `re-run on worker ${this.workerId} ${why}`);
        }
      }
      const [source, destination, ...transforms] = await Promise.all([
        this.compile(registry, config.source.use),
        this.compile(registry, config.destination.use),
        ...config.transforms.map((t) => this.compile(registry, t.use)),
      ]);
      const components: ChainComponents = { source: source as ComponentModules, destination, transforms };
      const faults = this.options.faults ?? {};
      const task = streamTaskOf(config, job.stream, job.runId, components, {
        ...(this.options.switches ? { switches: this.options.switches } : {}),
        ...(faults.blockSource?.stream === name ? { blockSourceAttempts: faults.blockSource.attempts } : {}),
        ...(faults.holdSourceAfterCommits?.stream === name
          ? { holdSourceAfterCommits: faults.holdSourceAfterCommits.commits }
          : {}),
      });
      log('debug', `chain ${job.chainId} runs on worker ${this.workerId}`);
      result = await runStreamTask({
        task,
        state,
        onEvent,
        signal,
        retry: config.resources.retry,
        afterCommit: faultInjector(faults),
        controls: {
          fullRefresh: job.fullRefresh,
          partOfStream: job.partOfStream,
          pool: this.chainPool,
          faults,
          attemptsBefore,
          interrupts: deadline.interrupts,
          deadline,
          ...(this.options.drainGraceMs !== undefined ? { drainGraceMs: this.options.drainGraceMs } : {}),
          ...(job.partOfStream
            ? {
                onShardCommitted: (covered) => {
                  channel.publish({ kind: 'shard-committed', covered } satisfies ChainMessage);
                  return Promise.resolve();
                },
              }
            : {}),
        },
      });
    } catch (error) {
      const e = error as { code?: unknown; kind?: unknown };
      result = {
        stream: name,
        status: 'failed',
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: Date.now() - startedAt.getTime(),
        attempts: 0,
        rowsRead: 0,
        bytesRead: 0,
        rowsWritten: 0,
        bytesWritten: 0,
        error: {
          kind: e.kind === 'transient' ? 'transient' : 'permanent',
          code: typeof e.code === 'string' ? e.code : 'CHAIN_FAILED',
          message: `worker ${this.workerId}: ${messageOf(error)}`,
          stage: 'host',
        },
      };
      onEvent({ type: 'stream-finished', result });
    } finally {
      releaseSlot();
      clearInterval(cancelPoll);
      deadline.close();
      clearInterval(progressTimer);
      if (pendingProgress) channel.publish({ kind: 'event', event: pendingProgress } satisfies ChainMessage);
      await channel.close().catch(() => undefined);
    }
    // the result is recorded by DBOS and the coordinator's run history: no secret in its texts either
    result = redact(result);
    if (!this.stopping.signal.aborted)
      await this.pool
        .query(`UPDATE ${chains} SET finished_at = now(), status = $2 WHERE chain_id = $1 AND worker_id = $3`, [
          job.chainId,
          result.status,
          this.workerId,
        ])
        .catch(() => undefined);
    return result;
  }

  /** A run's coordinator: `runPipeline` with its chains on the cluster; its events go to the run's channel. */
  async runCoordinator(
    job: RunJob,
    workflowId: string,
    cancelSignal: AbortSignal | undefined,
  ): Promise<RunResult | undefined> {
    const channel = new EventChannelWriter(this.pool, CLUSTER_STATE_SCHEMA, workflowId);
    const signal = AbortSignal.any([this.stopping.signal, ...(cancelSignal ? [cancelSignal] : [])]);
    let config: PipelineConfig | undefined;
    try {
      // a coordinator that runs again (its worker was lost) first stops what its earlier run left on the cluster
      const stale = await this.client.listWorkflows({
        workflow_id_prefix: `chain:${job.pipeline}:`,
        status: ['ENQUEUED', 'PENDING'],
      });
      if (stale.length > 0) {
        await this.pool.query(
          `UPDATE ${tableIn(CLUSTER_STATE_SCHEMA, 'cluster_chains')} SET cancel_requested = true WHERE chain_id = ANY($1)`,
          [stale.map((w) => w.workflowID)],
        );
        await this.client.cancelWorkflows(stale.filter((w) => w.status === 'ENQUEUED').map((w) => w.workflowID));
      }
      const loaded = loadJobPipeline(job, {
        env: this.options.env,
        connectorsPath: this.options.connectorsPath,
        workerId: this.workerId,
      });
      config = loaded.config;
      let cfg = await expandPipelineStreams(loaded.config, loaded.registry);
      const allCdc = cfg.source.streams.filter((s) => s.syncMode === 'cdc').map((s) => s.name);
      if (job.streams !== undefined) cfg = selectStreams(cfg, job.streams.split(','));
      const selected = new Set(cfg.source.streams.map((s) => s.name));
      const heldCdcStreams = allCdc.filter((s) => !selected.has(s));
      config = cfg;
      const state = await this.stateOf(cfg);
      const redact = redactorOf(cfg);
      channel.publish({
        kind: 'event',
        event: { type: 'log', stage: 'cluster', level: 'info', message: `coordinator on worker ${this.workerId}` },
      });
      const result = await runPipeline(cfg, {
        registry: loaded.registry,
        state,
        onEvent: (event) => channel.publish({ kind: 'event', event: redact(event) }),
        signal,
        follow: job.follow,
        fullRefresh: job.fullRefresh,
        ...(heldCdcStreams.length > 0 ? { heldCdcStreams } : {}),
        ...(this.options.drainGraceMs !== undefined ? { drainGraceMs: this.options.drainGraceMs } : {}),
        ...(this.options.switches ? { switches: this.options.switches } : {}),
        ...(this.options.faults ? { faults: this.options.faults } : {}),
        chains: new ClusterChains({
          client: this.client,
          pool: this.pool,
          schema: CLUSTER_STATE_SCHEMA,
          job,
          appVersion: this.options.version,
        }),
      });
      return redact(result);
    } catch (error) {
      const e = error as { code?: unknown; kind?: unknown };
      const message = config ? redactSecrets(messageOf(error), config) : messageOf(error);
      channel.publish({ kind: 'failed', code: typeof e.code === 'string' ? e.code : undefined, message });
      return undefined;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}

let context: WorkerContext | undefined;
let registered = false;

/** Registers the two workflows (once per process): each is one step, with DBOS step retries off (the engine retries). */
function registerWorkflows(): void {
  if (registered) return;
  registered = true;
  DBOS.registerWorkflow(
    async (job: ChainJob): Promise<StreamResult> =>
      DBOS.runStep(
        () => {
          const ctx = context;
          if (!ctx) return Promise.reject(new Error('this process runs no worker'));
          return ctx.execution(() => ctx.runChain(job, DBOS.stepStatus?.cancelSignal));
        },
        { name: 'chain' },
      ),
    { name: CHAIN_WORKFLOW },
  );
  DBOS.registerWorkflow(
    async (job: RunJob): Promise<RunResult | undefined> => {
      const workflowId = DBOS.workflowID ?? job.pipeline;
      return DBOS.runStep(
        () => {
          const ctx = context;
          if (!ctx) return Promise.reject(new Error('this process runs no worker'));
          return ctx.execution(() => ctx.runCoordinator(job, workflowId, DBOS.stepStatus?.cancelSignal));
        },
        { name: 'coordinate' },
      );
    },
    { name: RUN_WORKFLOW },
  );
}

/**
 * Starts `rapidbyte worker`: takes its lease (a heartbeat row and a session lock in the state
 * DB), launches DBOS with this worker's id as executor id (which recovers what a previous process
 * of the same id left PENDING), listens on `rb-runs` and `rb-chains` (at most `slots` chains at
 * once), and sweeps for lost workers to put their work back on the queues.
 */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const workerId = options.workerId ?? hostname();
  const slots = Math.max(1, Math.floor(options.slots ?? defaultSlots()));
  const leaseTimeoutMs = options.leaseTimeoutMs ?? DEFAULT_LEASE_TIMEOUT_MS;
  const heartbeatMs = Math.max(100, Math.min(1_000, Math.floor(leaseTimeoutMs / 4)));
  // the state schema and its migrations, as any run on this state DB would have them
  const store = await openPostgresStateStore(options.stateUrl, { schema: CLUSTER_STATE_SCHEMA });
  await store.close();
  const pool = new pg.Pool({
    connectionString: options.stateUrl,
    application_name: `rapidbyte-worker:${workerId}`,
    max: 6,
  });
  pool.on('error', () => undefined);
  await ensureClusterSchema(pool, CLUSTER_STATE_SCHEMA);
  const ctx = new WorkerContext(options, workerId, slots, pool);
  let lease: WorkerLease | undefined;
  const sweeperClient = new pg.Client({
    connectionString: options.stateUrl,
    application_name: `rapidbyte-sweeper:${workerId}`,
  });
  sweeperClient.on('error', () => undefined);
  try {
    lease = await WorkerLease.acquire(
      options.stateUrl,
      CLUSTER_STATE_SCHEMA,
      { workerId, host: hostname(), pid: process.pid, slots, version: options.version },
      {
        heartbeatMs,
        onLost: (why) => {
          ctx.leaseLost = true;
          options.log('error', `worker ${workerId} lost its lease: ${why}; stopping its chains`);
          ctx.stopping.abort();
          options.onLeaseLost(why);
        },
      },
    );
    context = ctx;
    registerWorkflows();
    DBOS.setConfig({
      name: CLUSTER_APPLICATION,
      systemDatabaseUrl: options.stateUrl,
      systemDatabaseSchemaName: CLUSTER_DBOS_SCHEMA,
      applicationVersion: options.version,
      executorID: workerId,
      listenQueues: (options.queues ?? WORKER_QUEUES).map((q) => (q === 'runs' ? RUNS_QUEUE : CHAINS_QUEUE)),
      logger: {
        info: (e) => options.log('debug', `workflow engine: ${messageOf(e)}`),
        debug: (e) => options.log('debug', `workflow engine: ${messageOf(e)}`),
        warn: (e) => options.log('warn', `workflow engine: ${messageOf(e)}`),
        error: (e) => options.log('error', `workflow engine: ${messageOf(e)}`),
      },
    });
    // DBOS migrates its schema at launch: workers starting together deadlock on it. They take
    // turns, polling for the turn: a waiting lock statement is itself an open transaction, which the
    // migration's CREATE INDEX CONCURRENTLY waits for.
    const launching = await pool.connect();
    try {
      while (
        (
          await launching.query<{ ok: boolean }>(
            `SELECT pg_try_advisory_lock(hashtext('rapidbyte:cluster-launch')) AS ok`,
          )
        ).rows[0]?.ok !== true
      )
        await new Promise((r) => setTimeout(r, 200));
      await DBOS.launch();
    } finally {
      await launching.query(`SELECT pg_advisory_unlock(hashtext('rapidbyte:cluster-launch'))`).catch(() => undefined);
      launching.release();
    }
    const queues = options.queues ?? WORKER_QUEUES;
    if (queues.includes('runs'))
      await DBOS.registerQueue(RUNS_QUEUE, { minPollingIntervalMs: 200, onConflict: 'always_update' });
    // The per-worker limit is a setting of the queue, shared by every worker: the last chain worker
    // started sets it. A worker also never runs more than its own `--slots` (the chain semaphore).
    if (queues.includes('chains'))
      await DBOS.registerQueue(CHAINS_QUEUE, {
        workerConcurrency: slots,
        minPollingIntervalMs: 200,
        onConflict: 'always_update',
      });
    ctx.client = await DBOSClient.create({
      systemDatabaseUrl: options.stateUrl,
      systemDatabaseSchemaName: CLUSTER_DBOS_SCHEMA,
      applicationName: CLUSTER_APPLICATION,
    });
    await sweeperClient.connect();
  } catch (error) {
    context = undefined;
    await lease?.release();
    await sweeperClient.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }
  const sweeper = new LeaseSweeper(sweeperClient, {
    schema: CLUSTER_STATE_SCHEMA,
    self: workerId,
    leaseTimeoutMs,
    sweepMs: Math.max(200, Math.min(1_000, Math.floor(leaseTimeoutMs / 4))),
    log: (level, message) => options.log(level, message),
  });
  sweeper.start();
  options.log('info', `worker ${workerId} ready: ${slots} slot(s), lease timeout ${leaseTimeoutMs} ms`);
  const acquiredLease = lease;
  let stopping: Promise<void> | undefined;
  return {
    workerId,
    slots,
    stop: () => {
      stopping ??= (async () => {
        ctx.stopping.abort();
        await sweeper.stop();
        // chains drain to their last checkpoint; their workflows stay PENDING and the lease says lost: the others take them over
        await Promise.race([
          Promise.allSettled([...ctx.running]),
          new Promise((r) => setTimeout(r, (options.drainGraceMs ?? 8_000) + 2_000)),
        ]);
        await acquiredLease.release({ handOver: ctx.heldBack });
        await ctx.chainPool.close();
        await ctx.client.destroy().catch(() => undefined);
        await sweeperClient.end().catch(() => undefined);
        for (const s of ctx.stores.values()) await (await s).close().catch(() => undefined);
        await pool.end().catch(() => undefined);
      })();
      return stopping;
    },
  };
}
