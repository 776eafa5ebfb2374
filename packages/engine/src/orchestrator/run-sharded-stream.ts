import { randomUUID } from 'node:crypto';
import { checkpointKey, type StreamShard } from '@rapidbyte/sdk/contract';
import type { StateStore } from '../state/index.js';
import { classifyError } from '../errors/classify-error.js';
import { recordCommittedCheckpoint, storedCheckpoint } from './checkpoint-recorder.js';
import { RESET_SCOPE, resetKey } from './reset-marker.js';
import type { RunEvent, RunEventListener } from './run-event.js';
import type { StreamFailure, StreamResult } from './run-result.js';
import type { RetryPolicy } from './retry-policy.js';
import type { StreamRunControls } from './run-stream-task.js';
import { LOCAL_CHAINS, type ChainRunner } from './chain-runner.js';
import { addCounters, NO_COUNTS } from './add-counters.js';
import { recordStreamEnd } from './record-stream-end.js';
import type { Semaphore } from './semaphore.js';
import type { StreamCounters, StreamTask } from './stream-task.js';
import type { ShardCoordinator } from '../sharding/shard-coordinator.js';
import { deleteShardPlan, loadShardPlan, saveShardPlan, shardRange, type ShardPlan } from '../sharding/shard-plan.js';
import { autoShardCount, type ShardRequest } from '../sharding/shard-request.js';

/** Everything `runShardedStream` needs from the run. */
export interface ShardedStreamRun {
  /** The stream's task, as one chain would run it (no shard). */
  readonly task: StreamTask;
  readonly request: Exclude<ShardRequest, { kind: 'none' }>;
  /** Opens the coordinator on the stream's source (the source's connection config and `allowed_hosts`). */
  readonly coordinator: () => Promise<ShardCoordinator>;
  readonly state: StateStore;
  readonly onEvent: RunEventListener;
  readonly signal?: AbortSignal;
  readonly retry: RetryPolicy;
  readonly afterCommit: () => void;
  /** `resources.parallelism`: every shard is a chain and takes a permit. */
  /** The run's chain permits: a shard holds one (see `ChainPermits`). */
  readonly semaphore: Pick<Semaphore, 'acquire'>;
  readonly controls: StreamRunControls;
  /** Where the shard chains run (default: worker threads of this process). */
  readonly chains?: ChainRunner;
}

/** The counters of all shards together. */
function sumCounters(all: readonly StreamCounters[]): StreamCounters {
  return all.reduce(addCounters, NO_COUNTS);
}

/** Whether every shard of the plan has a `complete` checkpoint of this pass in the state DB. */
async function passComplete(state: StateStore, pipeline: string, name: string, plan: ShardPlan): Promise<boolean> {
  for (let index = 0; index < plan.count; index++) {
    const key = checkpointKey({ name, shard: { index, count: plan.count } as StreamShard });
    const stored = (await storedCheckpoint(state, pipeline, key)) as { complete?: unknown; pass?: unknown } | undefined;
    if (stored?.complete !== true || stored.pass !== plan.pass) return false;
  }
  return true;
}

/**
 * Runs a full-refresh stream as key-range shards, or returns undefined when it should run as one
 * chain (the table is too small for `auto`, has no usable key, a single-chain pass is unfinished,
 * …; said in an info log when the config asked for shards).
 *
 * The main thread opens a coordinator transaction on the source and exports its snapshot; the
 * plan (key, bounds, pass id) is stored in the state DB before any shard starts. Each shard is a
 * chain of its own (one `parallelism` permit each) that imports the snapshot, reads its range
 * `(lower, upper]` in checkpointed chunks and loads the one destination table; its checkpoints
 * are kept under `checkpointKey` (`public.t[shard 2/4]`) at the destination and in the state DB.
 * A run that stops part-way (failure, kill, signal) leaves the plan: the next run reuses its
 * bounds, and every shard resumes after its own last commit — read in that run's new snapshot,
 * as one chain resumes. When every shard finished, the plan is dropped and the stream gets one
 * `complete` checkpoint; the summary shows one stream with its shard count.
 */
export async function runShardedStream(run: ShardedStreamRun): Promise<StreamResult | undefined> {
  const { task, state, onEvent, signal } = run;
  const name = task.stream.name;
  const pipeline = task.pipeline;
  const info = (message: string): void =>
    onEvent({ type: 'log', stream: name, stage: 'engine', level: 'info', message });
  const explicit = run.request.kind === 'fixed';
  const resetPending = (await state.getKv(RESET_SCOPE, resetKey(pipeline, name))) !== undefined;
  const startOver = resetPending || run.controls.fullRefresh === true;
  let plan = startOver ? undefined : await loadShardPlan(state, pipeline, name);
  if (plan && (await passComplete(state, pipeline, name, plan))) {
    await deleteShardPlan(state, pipeline, name);
    plan = undefined;
  }
  if (!plan && !startOver) {
    // an unfinished single-chain pass finishes the way it started (its resume point is not a shard's)
    const single = (await storedCheckpoint(state, pipeline, name)) as
      { mode?: unknown; complete?: unknown; pkAfter?: unknown } | undefined;
    if (single?.mode === 'full_refresh' && single.complete !== true && Array.isArray(single.pkAfter)) {
      if (explicit) info('an unfinished single-chain pass resumes as one chain; shards apply from the next pass');
      return undefined;
    }
  }

  let coordinator: ShardCoordinator;
  try {
    coordinator = await run.coordinator();
  } catch (error) {
    if (!explicit && !plan) {
      onEvent({
        type: 'log',
        stream: name,
        stage: 'engine',
        level: 'debug',
        message: `shards: auto: no coordinator (${(error as Error).message}); one chain`,
      });
      return undefined;
    }
    const e = classifyError(error, 'SHARD_COORDINATOR_FAILED');
    return finish(
      run,
      [],
      {
        kind: e.kind,
        code: e.code,
        message: `sharded full refresh: could not open the coordinator on the source: ${e.message}`,
        stage: 'host',
        sqlstate: e.sqlstate,
      },
      0,
      new Date(),
      performance.now(),
    );
  }
  const startedAt = new Date();
  const t0 = performance.now();
  try {
    if (plan) {
      info(
        `resuming the sharded pass planned at ${plan.plannedAt}: ${plan.count} shards by (${plan.key.join(', ')}); each shard continues after its last commit`,
      );
    } else {
      let made: ShardPlan | undefined;
      try {
        made = await makePlan(run, coordinator);
      } catch (error) {
        const e = classifyError(error, 'SHARD_PLAN_FAILED');
        if (!explicit) {
          onEvent({
            type: 'log',
            stream: name,
            stage: 'engine',
            level: 'debug',
            message: `shards: auto: could not plan (${e.message}); one chain`,
          });
          return undefined;
        }
        return await finish(
          run,
          [],
          {
            kind: e.kind,
            code: e.code,
            message: `sharded full refresh: could not plan the shards: ${e.message}`,
            stage: 'host',
            sqlstate: e.sqlstate,
          },
          0,
          startedAt,
          t0,
        );
      }
      if (!made) return undefined;
      plan = made;
      await saveShardPlan(state, pipeline, name, plan);
      info(`planned ${plan.count} shards by (${plan.key.join(', ')}) in snapshot ${coordinator.snapshot}`);
    }
    const pause = run.controls.faults?.pauseAfterShardPlanMs ?? 0;
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    await state.transition(task.runId, name, 'running');
    onEvent({ type: 'stream-started', stream: name, attempt: 1 });
    const progress: StreamCounters[] = [];
    const uncommitted: number[] = [];
    // what each shard's committed checkpoints cover, summed into the stream's run-history counts
    // one write at a time, so a later sum is never overwritten by an earlier one
    const committed: StreamCounters[] = [];
    let recorded: Promise<void> = Promise.resolve();
    const onShardCommitted =
      (index: number) =>
      (covered: StreamCounters): Promise<void> => {
        committed[index] = covered;
        recorded = recorded
          .catch(() => undefined)
          .then(() => state.recordStreamCounts(task.runId, name, sumCounters(committed.filter(Boolean))));
        return recorded;
      };
    const current = plan;
    const results = await Promise.all(
      Array.from({ length: current.count }, async (_, index): Promise<StreamResult> => {
        const shard: StreamShard = {
          index,
          count: current.count,
          snapshot: coordinator.snapshot,
          key: current.key,
          pass: current.pass,
          ...shardRange(current, index),
        };
        const prefix = `shard ${index + 1}/${current.count}: `;
        const shardEvents = (event: RunEvent): void => {
          if (event.type === 'stream-progress') {
            progress[index] = event.counters;
            uncommitted[index] = event.rowsUncommitted ?? 0;
            onEvent({
              type: 'stream-progress',
              stream: name,
              counters: sumCounters(progress.filter(Boolean)),
              rowsUncommitted: uncommitted.reduce((n, r) => n + (r ?? 0), 0),
            });
          } else if (event.type === 'log') {
            onEvent({ ...event, message: prefix + event.message });
          } else if (event.type === 'stream-stalled') {
            onEvent({ ...event, stream: name, message: prefix + event.message });
          }
          // shard starts and finishes are the stream's: reported once, below
        };
        const release = await run.semaphore.acquire();
        try {
          return await (run.chains ?? LOCAL_CHAINS).run({
            task: { ...task, stream: { ...task.stream, shard } },
            state,
            onEvent: shardEvents,
            signal,
            retry: run.retry,
            afterCommit: run.afterCommit,
            controls: {
              ...run.controls,
              fullRefresh: startOver,
              partOfStream: true,
              onShardCommitted: onShardCommitted(index),
            },
          });
        } finally {
          release();
        }
      }),
    );
    const failed = results.find((r) => r.status === 'failed');
    const error = failed?.error && {
      ...failed.error,
      message: `shard ${results.indexOf(failed) + 1}/${current.count}: ${failed.error.message}`,
    };
    if (results.every((r) => r.status === 'succeeded')) {
      const rows = results.reduce((n, r) => n + r.rowsWritten, 0);
      await recordCommittedCheckpoint(
        state,
        pipeline,
        name,
        task.runId,
        JSON.stringify({ mode: 'full_refresh', complete: true, primaryKey: current.key, rows, shards: current.count }),
      );
      await deleteShardPlan(state, pipeline, name);
      if (resetPending) await state.deleteKv(RESET_SCOPE, resetKey(pipeline, name));
    }
    return await finish(run, results, error, current.count, startedAt, t0);
  } finally {
    await coordinator.close();
  }
}

/** Picks the key, the shard count and the bounds in the coordinator's snapshot; undefined: one chain. */
async function makePlan(run: ShardedStreamRun, coordinator: ShardCoordinator): Promise<ShardPlan | undefined> {
  const { task, onEvent } = run;
  const name = task.stream.name;
  const explicit = run.request.kind === 'fixed';
  const single = (why: string): undefined => {
    onEvent({
      type: 'log',
      stream: name,
      stage: 'engine',
      level: explicit ? 'info' : 'debug',
      message: `one chain, not shards: ${why}`,
    });
    return undefined;
  };
  const table = await coordinator.table(name);
  if (!table) return single('not a plain table');
  const count = run.request.kind === 'fixed' ? run.request.count : autoShardCount(run.request.max, table.estimatedRows);
  if (count < 2) return single(`about ${table.estimatedRows} rows`);
  const key = await coordinator.key(table, task.stream.primaryKey);
  if (!key.ok) return single(key.reason);
  const bounds = await coordinator.bounds(name, table, key.key, count);
  if (bounds.length === 0) return single('too few rows to split');
  return { pass: randomUUID(), count: bounds.length + 1, key: key.key, bounds, plannedAt: new Date().toISOString() };
}

/** The stream's result from its shards' (recorded in the run history like one chain's). */
async function finish(
  run: ShardedStreamRun,
  shards: readonly StreamResult[],
  error: StreamFailure | undefined,
  count: number,
  startedAt: Date,
  t0: number,
): Promise<StreamResult> {
  const { task, state, signal } = run;
  const name = task.stream.name;
  const status: StreamResult['status'] = error
    ? signal?.aborted
      ? 'cancelled'
      : 'failed'
    : shards.some((r) => r.status === 'cancelled') || shards.length === 0
      ? 'cancelled'
      : 'succeeded';
  const attempts = shards.reduce((n, r) => Math.max(n, r.attempts), 0);
  const ended = await recordStreamEnd(state, task.pipeline, task.runId, {
    name,
    status,
    counters: sumCounters(shards),
    error,
    startedAt,
    t0,
    attempts,
  });
  const result: StreamResult = { ...ended, ...(count > 0 ? { shards: count } : {}) };
  run.onEvent({ type: 'stream-finished', result });
  return result;
}
