import type pg from 'pg';
import type { DBOSClient } from '@dbos-inc/dbos-sdk';
import type { ChainRunner } from '../orchestrator/chain-runner.js';
import type { RunEvent } from '../orchestrator/run-event.js';
import type { StreamResult } from '../orchestrator/run-result.js';
import type { StreamTaskRun } from '../orchestrator/run-stream-task.js';
import type { StreamCounters } from '../orchestrator/stream-task.js';
import { timeoutFailure } from '../orchestrator/stream-deadline.js';
import { tableIn } from '../state/postgres-sql.js';
import { CHAINS_QUEUE } from './cluster-schema.js';
import type { ChainJob, PipelineJob } from './cluster-job.js';
import type { CancelReason } from './cancel-reason.js';
import { EventChannelReader } from './event-channel.js';

/** The name of the chain workflow (registered by every worker). */
export const CHAIN_WORKFLOW = 'rapidbyte-chain';

/** What a chain writes to its channel: a run event, or a shard's committed counters. */
export type ChainMessage =
  | { readonly kind: 'event'; readonly event: RunEvent }
  | { readonly kind: 'shard-committed'; readonly covered: StreamCounters };

/** The workflow id of a chain: its run, stream and shard (a re-run of the same chain keeps it). */
export function chainIdOf(pipeline: string, runId: number, chain: StreamTaskRun['task']['stream']): string {
  const shard = chain.shard ? `#${chain.shard.index + 1}/${chain.shard.count}` : '';
  return `chain:${pipeline}:${runId}:${chain.name}${shard}`;
}

export interface ClusterChainsOptions {
  readonly client: DBOSClient;
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly job: PipelineJob;
  readonly appVersion: string;
  /** How often the coordinator reads its chains' events (ms). */
  readonly pollMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs each chain as a workflow on the `rb-chains` queue, where any worker with a free slot takes
 * it, and follows it: its events are re-emitted here (where the run's display, shard sums and run
 * history are), its result is the chain's. The run's `parallelism` stays the coordinator's
 * permits: a chain is enqueued only once it holds one. Aborting the run asks the chain to drain
 * (a flag its worker polls) or, while it still waits on the queue, cancels it.
 */
export class ClusterChains implements ChainRunner {
  readonly #o: ClusterChainsOptions;

  constructor(options: ClusterChainsOptions) {
    this.#o = options;
  }

  async run(chain: StreamTaskRun): Promise<StreamResult> {
    const { client, pool, schema } = this.#o;
    const { task } = chain;
    const chainId = chainIdOf(task.pipeline, task.runId, task.stream);
    const startedAt = new Date();
    // the stream's own limit counts here, from its first chain (as from its first attempt locally)
    chain.controls?.deadline?.start();
    const job: ChainJob = {
      ...this.#o.job,
      chainId,
      pipeline: task.pipeline,
      runId: task.runId,
      stream: task.stream,
      fullRefresh: chain.controls?.fullRefresh === true,
      partOfStream: chain.controls?.partOfStream === true,
    };
    const handle = await client.enqueue(
      { queueName: CHAINS_QUEUE, workflowName: CHAIN_WORKFLOW, workflowID: chainId, appVersion: this.#o.appVersion },
      job,
    );
    let outcome: { result?: StreamResult; error?: unknown } | undefined;
    // asks the chain to drain, and why when a limit of resources.timeouts stopped it (its worker then
    // ends it TIMEOUT, as a local run does); a chain taken off the queue whose worker has not yet
    // recorded it is asked again until it has (or has ended)
    const cancel = (): void => {
      const expired = chain.controls?.deadline?.expired;
      const reason: CancelReason | null = expired ? { scope: expired.scope, limitMs: expired.limitMs ?? 0 } : null;
      void (async () => {
        while (outcome === undefined) {
          const marked = await pool.query(
            `UPDATE ${tableIn(schema, 'cluster_chains')} SET cancel_requested = true, cancel_reason = $2 WHERE chain_id = $1`,
            [chainId, reason === null ? null : JSON.stringify(reason)],
          );
          if (marked.rowCount !== 0) return;
          const status = await client.getWorkflow(chainId);
          if (status?.status === 'ENQUEUED') {
            await client.cancelWorkflow(chainId);
            return;
          }
          if (status?.status !== 'PENDING') return;
          await sleep(100);
        }
      })().catch(() => undefined);
    };
    if (chain.signal?.aborted) cancel();
    chain.signal?.addEventListener('abort', cancel, { once: true });
    // a limit of `resources.timeouts` interrupts the stream as a signal does: the chain drains
    const unsubscribe = chain.controls?.interrupts?.subscribe(cancel);
    const reader = new EventChannelReader(pool, schema, chainId);
    const done = handle.getResult({ pollingIntervalMs: 250 }).then(
      (result: unknown) => {
        outcome = { result: result as StreamResult };
      },
      (error: unknown) => {
        outcome = { error };
      },
    );
    const deliver = async (): Promise<void> => {
      for (const message of (await reader.poll()) as ChainMessage[]) {
        if (message.kind === 'event') chain.onEvent(message.event);
        else await chain.controls?.onShardCommitted?.(message.covered);
      }
    };
    try {
      while (outcome === undefined) {
        await deliver();
        await Promise.race([done, sleep(this.#o.pollMs ?? 250)]);
      }
      await deliver();
    } finally {
      chain.signal?.removeEventListener('abort', cancel);
      unsubscribe?.();
    }
    if (outcome.result) return outcome.result;
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    // taken off the queue before any worker ran it: by a limit of resources.timeouts (TIMEOUT, as
    // in a local run), by the run's interrupt (cancelled), or it failed on its worker
    const expired = chain.controls?.deadline?.expired;
    const cancelled = !expired && (chain.signal?.aborted === true || chain.controls?.interrupts?.aborted === true);
    const result: StreamResult = {
      stream: task.stream.name,
      status: cancelled ? 'cancelled' : 'failed',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      attempts: 0,
      rowsRead: 0,
      bytesRead: 0,
      rowsWritten: 0,
      bytesWritten: 0,
      ...(expired
        ? { error: timeoutFailure(task.stream.name, expired, false) }
        : cancelled
          ? {}
          : {
              error: {
                kind: 'permanent' as const,
                code: 'CHAIN_FAILED',
                message: `chain ${chainId} ended without a result: ${message}`,
                stage: 'host',
              },
            }),
    };
    chain.onEvent({ type: 'stream-finished', result });
    return result;
  }
}
