import {
  ALERT_EVENTS,
  ALERT_NAMES,
  redactSecrets,
  type AlertName,
  type AlertsConfig,
  type PipelineConfig,
} from '../config/index.js';
import type { Project } from '../project/index.js';
import type { AlertStatus, RunRecord, StateStore } from '../state/index.js';
import { decideAlert } from './decide-alert.js';
import { deadLetterRun, failureStreak, staleForMs } from './observe-alerts.js';
import type { ProjectStateStores } from './project-state.js';
import { isFollower } from './scheduler.js';
import type { ServeMetrics } from './serve-metrics.js';
import { probeSlotLag, type SlotLag } from './slot-lag-probe.js';

/** How often the monitor looks which pipelines are due for a check (each is checked every `alerts.check_every`). */
const ROUND_MS = 1000;
/** The CDC slot lag metric of a pipeline without alerts is read this often. */
const SLOT_METRIC_MS = 30_000;
/** Runs read per check (a failure streak longer than this counts as this long). */
const RUNS_READ = 50;

export interface AlertMonitorOptions {
  readonly project: () => Project;
  readonly stores: ProjectStateStores;
  readonly now: () => Date;
  /** Whether a run of the pipeline is in progress in this serve. */
  readonly running: (pipeline: string) => boolean;
  readonly metrics?: ServeMetrics;
  readonly log: (level: 'info' | 'warn', pipeline: string, message: string) => void;
  /** Reads a CDC pipeline's slot lag on its source (tests replace it). */
  readonly probeSlotLag?: (config: PipelineConfig) => Promise<SlotLag | undefined>;
}

/** What one check observed of one alert, and how to say it. */
interface Observation {
  readonly value: number | undefined;
  readonly threshold: number;
  readonly describe: (status: 'firing' | 'resolved', value: number) => string;
}

/**
 * Evaluates the pipelines' `alerts:` in `serve`: every `check_every` it observes each configured
 * alert (slot lag on the source, staleness, failure streak, dead letters), decides with
 * {@link decideAlert} and moves the alert's state in the state DB together with its event — one
 * event when it starts firing, one when it resolves, none for checks in between; the state
 * outlives a restart, so a restarted serve neither fires again nor forgets a firing alert.
 */
export class AlertMonitor {
  readonly #options: AlertMonitorOptions;
  readonly #due = new Map<string, number>();
  readonly #watchedSince = new Map<string, Date>();
  /** The last probe failure per pipeline, logged once until it changes. */
  readonly #probeFailure = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  /** The round in progress; a round that is still going (a slow source) makes the next one wait its turn, not pile up. */
  #round: Promise<void> | undefined;

  constructor(options: AlertMonitorOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer ??= setInterval(() => {
      this.#round ??= this.#checkDue().finally(() => (this.#round = undefined));
    }, ROUND_MS);
    this.#timer.unref();
  }

  /** Stops checking; resolves when the check in progress ended. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#round;
  }

  async #checkDue(): Promise<void> {
    if (this.#timer === undefined) return;
    const now = this.#options.now().getTime();
    for (const config of this.#options.project().pipelines) {
      const every = config.alerts?.checkEveryMs ?? (isFollower(config) ? SLOT_METRIC_MS : undefined);
      if (every === undefined) continue;
      if ((this.#due.get(config.pipeline) ?? 0) > now) continue;
      this.#due.set(config.pipeline, now + every);
      await this.check(config).catch((error: unknown) =>
        this.#options.log(
          'warn',
          config.pipeline,
          `alerts: ${redactSecrets(error instanceof Error ? error.message : String(error), config)}`,
        ),
      );
    }
  }

  /** Checks every alert of one pipeline once (and reads its slot lag for the metrics). */
  async check(config: PipelineConfig): Promise<void> {
    const { pipeline } = config;
    if (!this.#watchedSince.has(pipeline)) this.#watchedSince.set(pipeline, this.#options.now());
    const lag = isFollower(config) ? await this.#slotLag(config) : undefined;
    const alerts = config.alerts;
    if (alerts === undefined) return;
    const state = await this.#options.stores.of(config);
    const stored = new Map((await state.listAlertStates(pipeline)).map((a) => [a.alert, a.status]));
    const runs = await state.listRuns({ pipeline, limit: RUNS_READ });
    for (const alert of ALERT_NAMES) {
      const observation = await this.#observe(alert, alerts, { config, state, runs, lag });
      if (observation === undefined) continue;
      const status: AlertStatus = stored.get(alert) ?? 'ok';
      const move = decideAlert({ alert, status, value: observation.value, threshold: observation.threshold });
      let firing = status === 'firing';
      if (move !== undefined && observation.value !== undefined) {
        const to = move === 'fire' ? 'firing' : 'resolved';
        const message = observation.describe(to, observation.value);
        const event = await state.moveAlertState({
          pipeline,
          alert,
          from: status,
          to: move === 'fire' ? 'firing' : 'ok',
          value: observation.value,
          event: {
            type: ALERT_EVENTS[alert][to],
            pipeline,
            payload: { alert, state: to, value: observation.value, threshold: observation.threshold, message },
          },
        });
        // undefined: another serve process moved it first (and wrote the event)
        if (event !== undefined) {
          firing = move === 'fire';
          this.#options.log(move === 'fire' ? 'warn' : 'info', pipeline, `alert ${event.type}: ${message}`);
        }
      }
      this.#options.metrics?.recordAlert(pipeline, alert, firing);
    }
    this.#options.metrics?.recordAlertCheck(pipeline);
  }

  async #slotLag(config: PipelineConfig): Promise<SlotLag | undefined> {
    try {
      const lag = await (this.#options.probeSlotLag ?? probeSlotLag)(config);
      this.#probeFailure.delete(config.pipeline);
      if (lag !== undefined) this.#options.metrics?.recordSlotLag(config.pipeline, lag);
      return lag;
    } catch (error) {
      const message = redactSecrets(error instanceof Error ? error.message : String(error), config);
      if (this.#probeFailure.get(config.pipeline) !== message)
        this.#options.log('warn', config.pipeline, `alerts: cannot read the replication slot's lag: ${message}`);
      this.#probeFailure.set(config.pipeline, message);
      return undefined;
    }
  }

  async #observe(
    alert: AlertName,
    alerts: AlertsConfig,
    at: { config: PipelineConfig; state: StateStore; runs: readonly RunRecord[]; lag: SlotLag | undefined },
  ): Promise<Observation | undefined> {
    const { config, state, runs, lag } = at;
    switch (alert) {
      case 'slot_lag_bytes': {
        const threshold = alerts.slotLagBytes;
        if (threshold === undefined) return undefined;
        const slot = lag?.slot ?? 'the pipeline slot';
        return {
          value: lag?.lagBytes,
          threshold,
          describe: (to, value) =>
            to === 'firing'
              ? `replication slot "${slot}" retains ${bytes(value)} of WAL the pipeline has not confirmed (slot_lag_bytes ${bytes(threshold)})`
              : `replication slot "${slot}" is back to ${bytes(value)} behind (resolves under ${bytes(threshold / 2)})`,
        };
      }
      case 'stale_after': {
        const threshold = alerts.staleAfterMs;
        if (threshold === undefined) return undefined;
        const value = staleForMs(runs, {
          now: this.#options.now(),
          watchedSince: this.#watchedSince.get(config.pipeline) ?? this.#options.now(),
          following: isFollower(config) && this.#options.running(config.pipeline),
        });
        return {
          value,
          threshold,
          describe: (to, v) =>
            to === 'firing'
              ? `no successful run for ${duration(v)} (stale_after ${duration(threshold)})`
              : 'a run succeeded: the data is fresh again',
        };
      }
      case 'consecutive_failures': {
        const threshold = alerts.consecutiveFailures;
        if (threshold === undefined) return undefined;
        const streak = failureStreak(runs);
        return {
          value: streak,
          threshold,
          describe: (to, v) =>
            to === 'firing'
              ? `${v} runs in a row failed (consecutive_failures ${threshold}); the last: run ${runs.find((r) => r.status !== 'cancelled' && r.finishedAt !== undefined)?.runId ?? '?'}`
              : 'a run succeeded after the failures',
        };
      }
      case 'dead_letters': {
        const threshold = alerts.deadLetters;
        if (threshold === undefined) return undefined;
        const [newest] = runs;
        const count = async (runId: number): Promise<number> =>
          (await state.listDeadLetters({ pipeline: config.pipeline, runId, limit: threshold })).length;
        const newestCount = newest === undefined ? 0 : await count(newest.runId);
        const run = deadLetterRun(runs, newestCount);
        const value = run === undefined ? 0 : run === newest ? newestCount : await count(run.runId);
        return {
          value,
          threshold,
          describe: (to, v) =>
            to === 'firing'
              ? `run ${run?.runId ?? '?'} stored ${v}${v >= threshold ? '+' : ''} dead letters (dead_letters ${threshold})`
              : `run ${run?.runId ?? '?'} stored fewer than ${threshold} dead letters`,
        };
      }
    }
  }
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit] as string}`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
