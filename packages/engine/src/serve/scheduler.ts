import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname } from 'node:path';
import { redactSecrets, type PipelineConfig } from '../config/index.js';
import { expandPipelineStreams } from '../orchestrator/expand-stream-patterns.js';
import { WarmEngine } from '../orchestrator/warm-engine.js';
import type { RunEvent } from '../orchestrator/run-event.js';
import type { Project } from '../project/index.js';
import { ConnectorRegistry } from '../runtime/connector-registry.js';
import { nextFireTimes, planCatchUp } from '../schedule/index.js';
import type { RunStatus, StateStore, TickOutcome } from '../state/index.js';
import type { DurableRuns, RunRequest, RunSummary } from './durable-runs.js';
import { isPaused, setPaused } from './pause-flag.js';
import { planDependent, type UpstreamRun } from './plan-dependent.js';
import { planTick } from './plan-tick.js';
import type { ProjectStateStores } from './project-state.js';
import { ServeRequestRefused } from './serve-error.js';
import type { ServeEventListener } from './serve-event.js';
import { tickWorkflowId, triggerWorkflowId } from './tick-workflow-id.js';

/** A run of this process, from the moment its workflow is started until it ends. */
interface ActiveRun {
  readonly workflowId: string;
  readonly tickAt: Date;
  readonly outcome: Extract<TickOutcome, 'fired' | 'caught-up' | 'triggered'>;
  readonly reason?: string;
  readonly controller: AbortController;
  runId?: number;
  /** Resolves when the run's executor returned (also for a recovered workflow). */
  readonly ended: Promise<RunSummary>;
  end(summary: RunSummary): void;
}

/** Restart delays of a CDC follower that ended: doubling from the first to the last; reset after a run that lasted {@link FOLLOW_HEALTHY_MS}. */
export const FOLLOW_BACKOFF_MS = { first: 1000, max: 60_000 } as const;
const FOLLOW_HEALTHY_MS = 60_000;
/** How often a paused follower looks whether it was resumed. */
const FOLLOW_PAUSE_POLL_MS = 1000;

/** Whether a pipeline is served as a CDC follower (`run --follow`) rather than by ticks: it has CDC streams. */
export const isFollower = (config: PipelineConfig): boolean => config.source.streams.some((s) => s.syncMode === 'cdc');

/** The delay before a follower's next start, after `delay` (doubling, capped). */
export function nextFollowDelay(delay: number): number {
  return Math.min(FOLLOW_BACKOFF_MS.max, delay * 2);
}

/** Longest single timer Node keeps (about 24.8 days); a later tick re-arms on the way. */
const MAX_TIMER_MS = 2_147_483_647;

export interface SchedulerOptions {
  readonly stores: ProjectStateStores;
  readonly onEvent: ServeEventListener;
  readonly now: () => Date;
  readonly drainGraceMs?: number;
  /** Every event of every run (the metrics read their progress). */
  readonly onRunEvent?: (pipeline: string, event: RunEvent) => void;
  /** Submit the runs to the cluster's workers (of this engine version) instead of running them here. */
  readonly cluster?: { readonly version: string };
}

/** The DBOS queue priority of serve's runs on a cluster: after every run submitted by hand (0). */
export const CLUSTER_SCHEDULED_PRIORITY = 1000;

/**
 * Fires each scheduled pipeline's ticks (computed with the same next-fire function as
 * `rapidbyte schedule next`), decides each tick (paused, overlap, dependencies), records it in the
 * pipeline's state DB and starts its run as a durable workflow whose id is the tick's, so a tick
 * runs once. The per-pipeline lock of `runPipeline` stays the guard against a manual `run`.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  #project: Project;
  #durable: DurableRuns | undefined;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** The last tick armed per pipeline: the next one is strictly after it (a timer may fire a little early). */
  readonly #lastTick = new Map<string, Date>();
  readonly #active = new Map<string, ActiveRun>();
  readonly #queued = new Map<string, Date>();
  /** Per dependent pipeline, how its upstream runs of the current window ended. */
  readonly #upstreamEnded = new Map<string, Map<string, UpstreamRun & { tickAt: Date }>>();
  #stopping = false;
  /** Aborted when serve drains: wakes followers waiting to restart. */
  readonly #draining = new AbortController();
  /** CDC pipelines supervised by this scheduler. */
  readonly #followers = new Set<string>();
  /**
   * The async context the scheduler was made in. What follows a run (its dependents, the tick
   * that waited behind it) starts new workflows and must not run in the finished step's context:
   * the workflow engine refuses to start a workflow from inside a step.
   */
  readonly #outside = new AsyncResource('rapidbyte-serve-scheduler');
  /** Each pipeline's workers and compiled components, kept between its runs (a scheduled run pays no start-up). */
  readonly #engine = new WarmEngine();

  constructor(project: Project, options: SchedulerOptions) {
    this.#project = project;
    this.#options = options;
  }

  get project(): Project {
    return this.#project;
  }

  /** The run in progress of `pipeline`, if any. */
  activeRun(pipeline: string): { runId?: number; workflowId: string; tickAt: Date } | undefined {
    return this.#active.get(pipeline);
  }

  isQueued(pipeline: string): boolean {
    return this.#queued.has(pipeline);
  }

  /** Binds the workflow engine (launched after the scheduler exists: recovery calls {@link execute}). */
  attach(durable: DurableRuns): void {
    this.#durable = durable;
  }

  config(pipeline: string): PipelineConfig {
    const found = this.#project.pipelines.find((p) => p.pipeline === pipeline);
    if (found === undefined)
      throw new ServeRequestRefused(404, `no pipeline named '${pipeline}' in ${this.#project.source}`);
    return found;
  }

  async state(pipeline: string): Promise<StateStore> {
    return this.#options.stores.of(this.config(pipeline));
  }

  /** Starts the timers, after firing what `catch_up:` asks for the ticks missed while nothing served. */
  async start(): Promise<void> {
    const now = this.#options.now();
    for (const config of this.#project.pipelines) {
      if (config.schedule === undefined) continue;
      const state = await this.state(config.pipeline);
      // the latest schedule tick seen (rows are in record order: a recovered workflow may record an older tick late)
      const seen = (await state.listTicks({ pipeline: config.pipeline, limit: 50 }))
        .filter((t) => t.outcome !== 'triggered' && t.outcome !== 'skipped-upstream')
        .map((t) => Date.parse(t.tickAt));
      const last = seen.length === 0 ? undefined : new Date(Math.max(...seen));
      const plan = planCatchUp({
        timing: config.schedule,
        catchUp: config.schedule.catchUp,
        ...(last && { lastFireAt: last }),
        now,
      });
      for (const tick of plan.fire) {
        const missed =
          plan.missed === undefined
            ? ''
            : `: ticks from ${plan.missed.first.toISOString()} to ${plan.missed.last.toISOString()} were missed while nothing served the schedule`;
        await this.tick(config.pipeline, tick, 'caught-up', `catch_up: one${missed}`);
      }
    }
    this.#armAll();
    this.#superviseAll();
  }

  #superviseAll(): void {
    for (const config of this.#project.pipelines) {
      if (!isFollower(config) || this.#followers.has(config.pipeline)) continue;
      this.#followers.add(config.pipeline);
      this.#outside.runInAsyncScope(() => {
        this.#supervise(config.pipeline)
          .catch((error: unknown) => this.#log('error', config.pipeline, `CDC follower supervisor: ${String(error)}`))
          .finally(() => this.#followers.delete(config.pipeline));
      });
    }
  }

  /**
   * Keeps a CDC pipeline following (`run --follow`): started at once, restarted with a doubling
   * delay whenever its run ends (a failure, a lost connection), never scheduled. Pausing drains it;
   * resuming starts it again. It is not a durable workflow: there is no tick to run once, and a
   * follower resumes from its confirmed LSN whoever starts it.
   */
  async #supervise(pipeline: string): Promise<void> {
    let delay: number = FOLLOW_BACKOFF_MS.first;
    let attempt = 0;
    while (!this.#stopping) {
      const config = this.#project.pipelines.find((p) => p.pipeline === pipeline);
      if (config === undefined || !isFollower(config)) return;
      if (await this.paused(pipeline)) {
        await sleep(FOLLOW_PAUSE_POLL_MS, undefined, { signal: this.#draining.signal }).catch(() => undefined);
        continue;
      }
      attempt++;
      const at = this.#options.now();
      const active = this.#newActive(
        pipeline,
        `${pipeline}@follow:${at.toISOString()}`,
        at,
        'fired',
        attempt === 1 ? 'CDC follower started' : `CDC follower restarted (start ${attempt})`,
      );
      const began = Date.now();
      const summary = await this.#runOnce({ pipeline, tickAt: at.toISOString(), fullRefresh: false }, active, true);
      this.#active.delete(pipeline);
      active.end(summary);
      this.#options.onEvent({
        type: 'run-finished',
        pipeline,
        ...(summary.runId !== undefined && { runId: summary.runId }),
        status: summary.status,
        ...(summary.error !== undefined && { error: summary.error }),
      });
      if (this.#stopping) return;
      if (await this.paused(pipeline)) continue;
      if (Date.now() - began >= FOLLOW_HEALTHY_MS) delay = FOLLOW_BACKOFF_MS.first;
      this.#log(
        'warn',
        pipeline,
        `CDC follower ended ${summary.status}${summary.error ? ` (${summary.error})` : ''}; restarting in ${delay} ms`,
      );
      await sleep(delay, undefined, { signal: this.#draining.signal }).catch(() => undefined);
      delay = nextFollowDelay(delay);
    }
  }

  /** Replaces the project (SIGHUP): timers re-armed from the new schedules; running work goes on. */
  reload(project: Project): void {
    this.#project = project;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    // armed ticks belong to the old schedules (a tick fired twice is refused by its workflow id)
    this.#lastTick.clear();
    for (const pipeline of [...this.#queued.keys()])
      if (!project.pipelines.some((p) => p.pipeline === pipeline)) this.#queued.delete(pipeline);
    this.#armAll();
    // a follower no longer in the project (or no longer CDC) drains; a new one starts
    for (const pipeline of this.#followers) {
      const config = project.pipelines.find((p) => p.pipeline === pipeline);
      if (config === undefined || !isFollower(config)) this.#active.get(pipeline)?.controller.abort();
    }
    this.#superviseAll();
  }

  #armAll(): void {
    for (const config of this.#project.pipelines) if (config.schedule !== undefined) this.#arm(config.pipeline);
  }

  #arm(pipeline: string): void {
    if (this.#stopping) return;
    const schedule = this.#project.pipelines.find((p) => p.pipeline === pipeline)?.schedule;
    if (schedule === undefined) return;
    const now = this.#options.now();
    const last = this.#lastTick.get(pipeline);
    const after = last !== undefined && last.getTime() > now.getTime() ? last : now;
    const next = nextFireTimes(schedule, after, 1)[0];
    if (next === undefined) return;
    this.#lastTick.set(pipeline, next);
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, next.getTime() - now.getTime()));
    const timer = setTimeout(() => {
      this.#timers.delete(pipeline);
      if (next.getTime() - this.#options.now().getTime() > 1000) {
        this.#lastTick.delete(pipeline); // a long wait re-armed in steps
        this.#arm(pipeline);
        return;
      }
      this.#arm(pipeline);
      this.tick(pipeline, next, 'fired').catch((error: unknown) =>
        this.#log('error', pipeline, `tick ${next.toISOString()}: ${String(error)}`),
      );
    }, delay);
    timer.unref();
    this.#timers.set(pipeline, timer);
  }

  /** The next tick of `pipeline` this scheduler has armed. */
  nextFire(pipeline: string): Date | undefined {
    return this.#timers.has(pipeline) ? this.#lastTick.get(pipeline) : undefined;
  }

  /** Decides one tick of `pipeline` and records it. */
  async tick(pipeline: string, tickAt: Date, kind: 'fired' | 'caught-up', reason?: string): Promise<void> {
    if (this.#stopping) return;
    const config = this.config(pipeline);
    const state = await this.state(pipeline);
    const active = this.#active.get(pipeline);
    const queued = this.#queued.has(pipeline);
    const plan = planTick({
      paused: await isPaused(state, pipeline),
      // between a run's end and the start of the tick that waited behind it, the pipeline is still busy
      ...((active !== undefined || queued) && {
        running: { ...(active?.runId !== undefined && { runId: active.runId }) },
      }),
      queued,
      overlap: config.schedule?.overlap ?? 'skip',
    });
    if (plan.action === 'skip') {
      await this.#record(pipeline, tickAt, plan.outcome, plan.reason);
      return;
    }
    if (plan.action === 'queue') {
      this.#queued.set(pipeline, tickAt);
      await this.#record(
        pipeline,
        tickAt,
        'queued',
        `waits for ${this.#active.get(pipeline)?.runId === undefined ? 'the starting run' : `run ${this.#active.get(pipeline)?.runId}`} to end (overlap: queue_one)`,
      );
      return;
    }
    await this.#launch(pipeline, tickAt, tickWorkflowId(pipeline, tickAt), kind, reason, false);
  }

  /** Starts a run now (the API's trigger); refused while the pipeline runs here. Resolves when it started, with its end. */
  async trigger(pipeline: string, fullRefresh: boolean): Promise<{ workflowId: string; ended: Promise<RunSummary> }> {
    this.config(pipeline);
    if (this.#stopping) throw new ServeRequestRefused(409, 'serve is draining: no new runs');
    const running = this.#active.get(pipeline);
    if (running === undefined && this.#queued.has(pipeline))
      throw new ServeRequestRefused(409, `pipeline '${pipeline}' is starting the tick that waited behind its last run`);
    if (running)
      throw new ServeRequestRefused(
        409,
        `pipeline '${pipeline}' is running (run ${running.runId ?? '(starting)'}): wait for it to end, or stop it`,
      );
    const at = this.#options.now();
    const workflowId = triggerWorkflowId(pipeline, at, randomUUID().slice(0, 8));
    const launched = await this.#launch(
      pipeline,
      at,
      workflowId,
      'triggered',
      fullRefresh ? 'triggered through the API (--full-refresh)' : 'triggered through the API',
      fullRefresh,
    );
    return { workflowId, ended: launched?.ended ?? Promise.resolve<RunSummary>({ pipeline, status: 'not-started' }) };
  }

  async pause(pipeline: string, paused: boolean): Promise<void> {
    await setPaused(await this.state(pipeline), pipeline, paused, this.#options.now());
    if (paused) this.#queued.delete(pipeline);
    // a paused follower drains (a scheduled run in progress is left to end)
    if (paused && this.#followers.has(pipeline)) this.#active.get(pipeline)?.controller.abort();
  }

  async paused(pipeline: string): Promise<boolean> {
    return isPaused(await this.state(pipeline), pipeline);
  }

  /** Stops a run of this process: its streams drain to their last checkpoint, like SIGINT. */
  stop(runId: number): { pipeline: string } {
    for (const [pipeline, run] of this.#active) {
      if (run.runId === runId) {
        run.controller.abort();
        return { pipeline };
      }
    }
    throw new ServeRequestRefused(
      404,
      `run ${runId} is not running in this serve process (\`rapidbyte runs\` shows its status)`,
    );
  }

  /** Stops firing ticks and drains every run in progress; resolves when they ended. */
  async drain(): Promise<void> {
    this.#stopping = true;
    this.#draining.abort();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#queued.clear();
    const runs = [...this.#active.values()];
    this.#options.onEvent({ type: 'draining', runs: runs.length });
    for (const run of runs) run.controller.abort();
    await Promise.all(runs.map((r) => r.ended.catch(() => undefined)));
    await this.#engine.close();
  }

  async #launch(
    pipeline: string,
    tickAt: Date,
    workflowId: string,
    outcome: ActiveRun['outcome'],
    reason: string | undefined,
    fullRefresh: boolean,
    dequeue?: Date,
  ): Promise<{ readonly ended: Promise<RunSummary> } | undefined> {
    const dequeued = (): void => {
      if (dequeue !== undefined && this.#queued.get(pipeline) === dequeue) this.#queued.delete(pipeline);
    };
    try {
      return await this.#launchNow(pipeline, tickAt, workflowId, outcome, reason, fullRefresh, dequeued);
    } finally {
      dequeued();
    }
  }

  async #launchNow(
    pipeline: string,
    tickAt: Date,
    workflowId: string,
    outcome: ActiveRun['outcome'],
    reason: string | undefined,
    fullRefresh: boolean,
    activated: () => void,
  ): Promise<{ readonly ended: Promise<RunSummary> } | undefined> {
    const durable = this.#durable;
    if (durable === undefined) throw new Error('the workflow engine is not running');
    if (await durable.exists(workflowId)) {
      await this.#record(
        pipeline,
        tickAt,
        'skipped-duplicate',
        `this tick was already fired (workflow ${workflowId} exists)`,
      );
      return undefined;
    }
    const active = this.#newActive(pipeline, workflowId, tickAt, outcome, reason);
    activated();
    const request: RunRequest = { pipeline, tickAt: tickAt.toISOString(), fullRefresh };
    try {
      const { result } = await durable.start(workflowId, request);
      result.catch((error: unknown) => active.end({ pipeline, status: 'not-started', error: String(error) }));
    } catch (error) {
      this.#active.delete(pipeline);
      await this.#record(
        pipeline,
        tickAt,
        'failed-to-start',
        `the workflow engine did not start the run: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    }
    return { ended: active.ended };
  }

  #newActive(
    pipeline: string,
    workflowId: string,
    tickAt: Date,
    outcome: ActiveRun['outcome'],
    reason: string | undefined,
  ): ActiveRun {
    let end!: (summary: RunSummary) => void;
    const ended = new Promise<RunSummary>((resolve) => {
      end = resolve;
    });
    const active: ActiveRun = {
      workflowId,
      tickAt,
      outcome,
      ...(reason !== undefined && { reason }),
      controller: new AbortController(),
      ended,
      end,
    };
    this.#active.set(pipeline, active);
    return active;
  }

  /**
   * The workflow step: runs the pipeline in this process through the same library entry as
   * `rapidbyte run`. Also called for a workflow recovered at launch (its process died mid-run).
   */
  async execute(request: RunRequest, workflowId: string): Promise<RunSummary> {
    const { pipeline } = request;
    let active = this.#active.get(pipeline);
    if (active !== undefined && active.workflowId !== workflowId) {
      // a workflow recovered at launch while a newer tick of the pipeline already runs here: that run resumes the work
      const reason = `recovered workflow ${workflowId} not run: run ${active.runId ?? '(starting)'} of a later tick already resumes the pipeline`;
      await this.#record(pipeline, new Date(request.tickAt), 'skipped-overlap', reason).catch(() => undefined);
      return { pipeline, status: 'not-started', error: reason };
    }
    active ??= this.#newActive(
      pipeline,
      workflowId,
      new Date(request.tickAt),
      'fired',
      'resumed: the serve process that started this tick stopped before the run ended',
    );
    const summary = await this.#runOnce(request, active);
    this.#active.delete(pipeline);
    active.end(summary);
    this.#options.onEvent({
      type: 'run-finished',
      pipeline,
      ...(summary.runId !== undefined && { runId: summary.runId }),
      status: summary.status,
      ...(summary.error !== undefined && { error: summary.error }),
    });
    const tickAt = active.tickAt;
    this.#outside.runInAsyncScope(() => {
      this.#afterRun(pipeline, tickAt, summary).catch((error: unknown) =>
        this.#log('error', pipeline, `after the run: ${String(error)}`),
      );
    });
    return summary;
  }

  async #runOnce(request: RunRequest, active: ActiveRun, follow = false): Promise<RunSummary> {
    const { pipeline } = request;
    const tickAt = active.tickAt;
    let config: PipelineConfig;
    try {
      config = this.config(pipeline);
    } catch (error) {
      return { pipeline, status: 'not-started', error: (error as Error).message };
    }
    let started = false;
    try {
      const state = await this.#options.stores.of(config);
      const registry = new ConnectorRegistry(dirname(config.file));
      const onEvent = (e: RunEvent): void => {
        this.#options.onRunEvent?.(pipeline, e);
        if (e.type === 'run-started') {
          started = true;
          active.runId = e.runId;
          this.#record(pipeline, tickAt, active.outcome, active.reason, e.runId).catch(() => undefined);
        } else if (e.type === 'log' && (e.level === 'warn' || e.level === 'error')) {
          this.#log(e.level, pipeline, `${e.stream ? `${e.stream}: ` : ''}${e.message}`);
        }
      };
      const cluster = this.#options.cluster;
      const result = cluster
        ? // submitted to the workers, after the runs submitted by hand
          await (
            await import('../cluster/submit-run.js')
          ).submitClusterRun({
            config,
            registry,
            version: cluster.version,
            fullRefresh: request.fullRefresh,
            follow,
            priority: CLUSTER_SCHEDULED_PRIORITY,
            onEvent,
            signal: active.controller.signal,
          })
        : await this.#engine.run(await expandPipelineStreams(config, registry), {
            registry,
            state,
            signal: active.controller.signal,
            fullRefresh: request.fullRefresh,
            follow,
            ...(this.#options.drainGraceMs !== undefined && { drainGraceMs: this.#options.drainGraceMs }),
            onEvent,
          });
      return { pipeline, runId: result.runId, status: result.status };
    } catch (error) {
      // the message lands in the tick log and the workflow engine's records: no secrets
      const message = redactSecrets(error instanceof Error ? error.message : String(error), config);
      const code = (error as { code?: unknown }).code;
      if (!started) {
        const outcome: TickOutcome = code === 'PIPELINE_LOCKED' ? 'skipped-locked' : 'failed-to-start';
        await this.#record(pipeline, tickAt, outcome, message).catch(() => undefined);
      }
      return {
        pipeline,
        ...(active.runId !== undefined && { runId: active.runId }),
        status: started ? 'failed' : 'not-started',
        error: message,
      };
    }
  }

  /** After a run: its dependents (in this tick's window), then the tick that waited behind it. */
  async #afterRun(pipeline: string, tickAt: Date, summary: RunSummary): Promise<void> {
    if (this.#stopping) return;
    for (const dependent of this.#project.pipelines) {
      const dependsOn = dependent.dependsOn ?? [];
      if (!dependsOn.some((d) => d.pipeline === pipeline)) continue;
      const ended = this.#upstreamEnded.get(dependent.pipeline) ?? new Map<string, UpstreamRun & { tickAt: Date }>();
      ended.set(pipeline, {
        ...(summary.runId !== undefined && { runId: summary.runId }),
        status: summary.status as RunStatus | 'not-started',
        tickAt,
      });
      this.#upstreamEnded.set(dependent.pipeline, ended);
      const plan = planDependent(dependsOn, ended);
      if (plan.action === 'wait') continue;
      this.#upstreamEnded.delete(dependent.pipeline);
      if (plan.action === 'skip') await this.#record(dependent.pipeline, tickAt, 'skipped-upstream', plan.reason);
      else await this.tick(dependent.pipeline, tickAt, 'fired', plan.reason);
    }
    const queued = this.#queued.get(pipeline);
    if (queued !== undefined) {
      // the queued entry keeps the pipeline busy for the ticks that arrive while this launch awaits the
      // workflow engine; it is removed once the run is active (or the launch gave up)
      const run = summary.runId === undefined ? 'the previous run' : `run ${summary.runId}`;
      await this.#launch(
        pipeline,
        queued,
        tickWorkflowId(pipeline, queued),
        'fired',
        `waited for ${run} to end (overlap: queue_one)`,
        false,
        queued,
      );
    }
  }

  async #record(pipeline: string, tickAt: Date, outcome: TickOutcome, reason?: string, runId?: number): Promise<void> {
    const state = await this.state(pipeline);
    await state.recordTick({
      pipeline,
      tickAt: tickAt.toISOString(),
      outcome,
      ...(reason !== undefined && { reason }),
      ...(runId !== undefined && { runId }),
    });
    this.#options.onEvent({
      type: 'tick',
      pipeline,
      tickAt: tickAt.toISOString(),
      outcome,
      ...(reason !== undefined && { reason }),
      ...(runId !== undefined && { runId }),
    });
  }

  #log(level: 'debug' | 'info' | 'warn' | 'error', pipeline: string | undefined, message: string): void {
    this.#options.onEvent({ type: 'log', level, ...(pipeline !== undefined && { pipeline }), message });
  }
}
