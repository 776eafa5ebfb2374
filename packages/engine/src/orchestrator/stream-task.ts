import type { MessagePort } from 'node:worker_threads';
import type { StreamContext, WitConnectorError } from '@rapidbyte/sdk/contract';
import type { CapabilityPolicy } from '../runtime/capability-policy.js';
import type { ComponentModules } from '../runtime/component-modules.js';
import type { WorkerSwitches } from './engine-options.js';
import type { ConnectorMetricSample } from './connector-metrics.js';

/** Whether the source waits for the destination's resume point where that is known to be empty. */
export const RESUME_GATES = ['skip-when-empty', 'always'] as const;
export type ResumeGate = (typeof RESUME_GATES)[number];

/** One stage of a stream's chain as handed to the worker. */
export interface StageTask {
  readonly role: 'source' | 'transform' | 'destination';
  readonly component: ComponentModules;
  readonly configJson: string;
  readonly policy: CapabilityPolicy;
  /** Connector key/value state of this stage's scope, loaded by the main thread. */
  readonly state: Readonly<Record<string, string>>;
}

/** Everything a worker needs to run one stream's chain: source → transforms → destination. */
export interface StreamTask {
  readonly pipeline: string;
  readonly runId: number;
  readonly stream: StreamContext;
  readonly source: StageTask;
  readonly transforms: readonly StageTask[];
  readonly destination: StageTask;
  readonly resources: {
    readonly batchRows: number;
    readonly maxBatchBytes: number;
    readonly checkpointIntervalRows: number;
    readonly checkpointIntervalBytes: number;
    /** Ceiling on each connector instance's linear memories (bytes); none when absent. */
    readonly connectorMemoryBytes?: number;
    /** How long one `run-step` may run before the worker is terminated (ms); none when absent. */
    readonly connectorStepTimeoutMs?: number;
    /** The stall watchdog's timeout (ms); no watchdog when absent. */
    readonly stallTimeoutMs?: number;
  };
  readonly onDataError: 'fail' | 'skip' | 'dlq';
  /** Frames buffered between two stages before the producer waits. */
  readonly channelCapacity: number;
  /** 1 for the first attempt, 2+ for retries. */
  readonly attempt: number;
  /** The destination isolates rejected rows frame by frame (after an attempt failed with `ROWS_REJECTED`). */
  readonly isolateRows?: boolean;
  /** The last committed checkpoint the state DB holds (used when the destination has no watermark). */
  readonly storedResume: unknown;
  /** The stream was reset: the destination ignores its watermark. */
  readonly ignoreWatermark: boolean;
  /**
   * `always`: the source waits for the destination's resume point even where it is known to be
   * empty (replace, an ignored watermark); the default starts the source at once there.
   */
  readonly resumeGate?: ResumeGate;
  /** The worker's switches (each defaults to on). */
  readonly switches?: Partial<WorkerSwitches>;
  /** This attempt's {@link StepClock} buffer: the worker stamps each stage's steps, the main thread watches them. */
  readonly stepClock?: SharedArrayBuffer;
  /** This attempt's `ExternalWaits` buffer: each stage stamps its requests to its database (the stall watchdog reads it). */
  readonly waitClock?: SharedArrayBuffer;
  /** Test-only (`block-source` fault): in attempts up to this one, the source stage blocks before its first step. */
  readonly blockSourceAttempts?: number;
  /** Test-only (`hold-source-after-commits` fault): the source waits for a stop once this many checkpoints are committed. */
  readonly holdSourceAfterCommits?: number;
  /** cdc: this attempt's port to the main thread's replication hub (transferred to the worker). */
  readonly replicationPort?: MessagePort;
  /**
   * `run --dry-run`: the destination component is not instantiated; a built-in sink counts and
   * drops what the chain emits (nothing is written, no checkpoint is reported). `limit` caps the
   * rows the source may emit (the last frame is sliced, then the source is stopped).
   */
  readonly dryRun?: { readonly limit?: number };
}

/** `workerData` of a stream worker. */
export interface StreamWorkerData {
  /** Its task; a warm worker (started before its task was known) has none and waits for a `task` message. */
  readonly task?: StreamTask;
  /** Define `navigator` before `pg` loads (see `WorkerSwitches.nodeNavigator`). */
  readonly nodeNavigator: boolean;
}

/**
 * Messages the main thread posts to a worker. `cancel` without `hard` asks the chain to drain
 * (batch sources stop at their next checkpoint boundary, the destination commits what it got);
 * `hard` stops every stage at its next step (open transactions roll back).
 */
export type WorkerControl =
  /**
   * A task for a warm or pooled worker. `port`: the task's own channel (its messages and controls
   * travel on it, so one worker can run several tasks); without it, the worker's.
   */
  | { readonly type: 'task'; readonly task: StreamTask; readonly port?: MessagePort }
  /** To a warm worker before its task: load these connectors' jco bindings (their JS) now. */
  | { readonly type: 'preload'; readonly bindingsUrls: readonly string[] }
  | { readonly type: 'cancel'; readonly hard: boolean }
  /** Answer to `dead-letters-flush`: the dead letters sent before it are stored (`ok`), or could not be. */
  | { readonly type: 'dead-letters-flushed'; readonly id: number; readonly ok: boolean };

/** Counters of one stream run. */
export interface StreamCounters {
  rowsRead: number;
  bytesRead: number;
  /**
   * Rows the destination committed: what its committed checkpoints cover (its own count when it
   * ended cleanly). Attempts resume after the last commit, so their sum counts no row twice.
   */
  rowsWritten: number;
  /** Bytes sent to the destination up to its last commit. */
  bytesWritten: number;
  /** Rows the destination received that were rolled back (a failed, interrupted or retried attempt); absent when none. */
  rowsRolledBack?: number;
  /** Rows a transform or the destination dropped under `on_data_error: skip` (streams with transforms). */
  rowsSkipped?: number;
  /** Rows sent to the dead-letter queue under `on_data_error: dlq` (streams with transforms). */
  rowsDeadLettered?: number;
  /**
   * Schema changes the destination applied (`schema_evolution`), from its write result, each as
   * one line (`new_column "email" -> add (text)`).
   */
  schemaChanges?: string[];
  /** Times the stall watchdog restarted or failed the stream (absent when none). */
  stalls?: number;
}

/** Messages a worker posts to the main thread. */
export type WorkerMessage =
  | { readonly type: 'log'; readonly stage: string; readonly level: string; readonly message: string }
  /** `rowsUncommitted`: rows the destination received since its last commit (they commit or roll back). */
  | { readonly type: 'progress'; readonly counters: StreamCounters; readonly rowsUncommitted?: number }
  | { readonly type: 'checkpoint'; readonly stage: string; readonly kind: string; readonly payload: string }
  /** What a stage's `metric()` calls added up to since the last such message. */
  | { readonly type: 'metrics'; readonly stage: string; readonly samples: readonly ConnectorMetricSample[] }
  | { readonly type: 'resume'; readonly source: 'destination' | 'state' | 'none'; readonly payload: string }
  /** A connector's `state-put` / successful `state-cas`; `slot`: the stage's place in the chain (0 = source). */
  | {
      readonly type: 'state-put';
      readonly stage: string;
      readonly slot: number;
      readonly key: string;
      readonly value: string;
    }
  | {
      readonly type: 'dead-letter';
      readonly stage: string;
      readonly record: string;
      readonly error: string;
      readonly category: string;
    }
  /** The destination waits until the dead letters posted before this are in the state DB (before its COMMIT). */
  | { readonly type: 'dead-letters-flush'; readonly id: number }
  | {
      readonly type: 'done';
      readonly counters: StreamCounters;
      readonly error?: WitConnectorError & { readonly stage: string };
    };
