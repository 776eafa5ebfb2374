import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DBOSClient, Error as DBOSErrors } from '@dbos-inc/dbos-sdk';
import { ConfigError, type PipelineConfig } from '../config/index.js';
import type { RunEvent } from '../orchestrator/run-event.js';
import type { RunResult } from '../orchestrator/run-result.js';
import type { ConnectorRegistry } from '../runtime/connector-registry.js';
import { openPostgresStateStore } from '../state/index.js';
import { tableIn } from '../state/postgres-sql.js';
import type { ChainMessage } from './cluster-chains.js';
import { pipelineJobOf, type RunJob } from './cluster-job.js';
import { CLUSTER_APPLICATION, CLUSTER_DBOS_SCHEMA, RUNS_QUEUE, ensureClusterSchema } from './cluster-schema.js';
import { CLUSTER_STATE_SCHEMA, RUN_WORKFLOW } from './cluster-worker.js';
import { EventChannelReader } from './event-channel.js';

/** What a coordinator writes to its run's channel: a run event, or why the run could not run. */
export type RunMessage = ChainMessage | { readonly kind: 'failed'; readonly code?: string; readonly message: string };

/** The cluster cannot take the run: no live worker, or the pipeline already has a run there. */
export class ClusterUnavailable extends Error {
  readonly kind = 'permanent' as const;
  readonly code: string;
  constructor(message: string, code = 'CLUSTER_UNAVAILABLE') {
    super(message);
    this.code = code;
  }
}

/** A run's coordinator failed before or outside its streams (config, lock, connector), with the error's code. */
export class ClusterRunFailed extends Error {
  readonly kind = 'permanent' as const;
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Cluster mode needs the Postgres state backend: every worker shares the state DB (SQLite is one machine's file). */
export function assertClusterState(config: PipelineConfig): string {
  if (config.state.backend !== 'postgres' || config.state.connection === undefined)
    throw new ConfigError([
      {
        file: config.file,
        path: 'state.backend',
        message: `cluster mode needs backend 'postgres' (the workers share the state DB), got '${config.state.backend}'`,
      },
    ]);
  return config.state.connection;
}

export interface SubmitRunOptions {
  readonly config: PipelineConfig;
  readonly registry: ConnectorRegistry;
  readonly version: string;
  readonly fullRefresh: boolean;
  readonly follow: boolean;
  readonly streams?: string;
  /** DBOS queue priority (0 is the highest; serve's scheduled runs go last). */
  readonly priority?: number;
  readonly onEvent: (event: RunEvent) => void;
  /** Aborting it cancels the run: its coordinator drains the streams as a local run does on SIGINT. */
  readonly signal?: AbortSignal;
  /** How long a cancelled run may take to report its end (ms). */
  readonly drainWaitMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * `run --cluster`: submits the run to the cluster's `rb-runs` queue (one run per pipeline at a
 * time: the pipeline is its deduplication id) and follows it — the coordinator's events are
 * handed to `onEvent` as a local run's would be — until its `run-finished`.
 */
export async function submitClusterRun(options: SubmitRunOptions): Promise<RunResult> {
  const { config } = options;
  const url = assertClusterState(config);
  // the state schema and its migrations, as a local run would have them
  await (await openPostgresStateStore(url, { schema: CLUSTER_STATE_SCHEMA })).close();
  const pool = new pg.Pool({ connectionString: url, application_name: 'rapidbyte-submit', max: 2 });
  pool.on('error', () => undefined);
  let client: DBOSClient | undefined;
  try {
    await ensureClusterSchema(pool, CLUSTER_STATE_SCHEMA);
    const live = await pool.query<{ n: number }>(
      // a worker that died with no survivor to sweep it still says `live`: its heartbeat tells
      `SELECT count(*)::int AS n FROM ${tableIn(CLUSTER_STATE_SCHEMA, 'cluster_workers')}
       WHERE status = 'live' AND heartbeat_at > now() - interval '30 seconds'`,
    );
    if ((live.rows[0]?.n ?? 0) === 0)
      throw new ClusterUnavailable(
        `no live worker shares the state DB of ${config.file}: start one with \`rapidbyte worker --state <url>\``,
      );
    client = await DBOSClient.create({
      systemDatabaseUrl: url,
      systemDatabaseSchemaName: CLUSTER_DBOS_SCHEMA,
      applicationName: CLUSTER_APPLICATION,
    });
    const job: RunJob = {
      ...pipelineJobOf(config.file, config, options.registry),
      pipeline: config.pipeline,
      fullRefresh: options.fullRefresh,
      follow: options.follow,
      ...(options.streams !== undefined ? { streams: options.streams } : {}),
    };
    const workflowID = `run:${config.pipeline}:${randomUUID()}`;
    try {
      await client.enqueue(
        {
          queueName: RUNS_QUEUE,
          workflowName: RUN_WORKFLOW,
          workflowID,
          appVersion: options.version,
          deduplicationID: config.pipeline,
          ...(options.priority !== undefined ? { priority: options.priority } : {}),
        },
        job,
      );
    } catch (error) {
      if (error instanceof DBOSErrors.DBOSQueueDuplicatedError)
        throw new ClusterUnavailable(
          `pipeline ${config.pipeline} already has a run on the cluster (one run per pipeline at a time)`,
          'PIPELINE_LOCKED',
        );
      throw error;
    }
    const reader = new EventChannelReader(pool, CLUSTER_STATE_SCHEMA, workflowID);
    const dbos = client;
    let cancelledAt: number | undefined;
    const cancel = (): void => {
      cancelledAt ??= Date.now();
      void dbos.cancelWorkflow(workflowID).catch(() => undefined);
    };
    if (options.signal?.aborted) cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      let lastStatusCheck = Date.now();
      for (;;) {
        for (const message of (await reader.poll()) as RunMessage[]) {
          if (message.kind === 'failed') throw new ClusterRunFailed(message.message, message.code);
          if (message.kind !== 'event') continue;
          options.onEvent(message.event);
          if (message.event.type === 'run-finished') return message.event.result;
        }
        if (Date.now() - lastStatusCheck > 2_000) {
          lastStatusCheck = Date.now();
          const status = (await dbos.getWorkflow(workflowID))?.status;
          const drained = cancelledAt !== undefined && Date.now() - cancelledAt > (options.drainWaitMs ?? 30_000);
          if (status === 'ERROR' || status === 'MAX_RECOVERY_ATTEMPTS_EXCEEDED' || status === 'SUCCESS' || drained) {
            // a last look: its final events may have been written just now
            for (const message of (await reader.poll()) as RunMessage[]) {
              if (message.kind === 'failed') throw new ClusterRunFailed(message.message, message.code);
              if (message.kind === 'event' && message.event.type === 'run-finished') return message.event.result;
            }
            throw new ClusterRunFailed(
              `the run's coordinator ended (${status ?? 'unknown'}) without a result`,
              undefined,
            );
          }
        }
        await sleep(200);
      }
    } finally {
      options.signal?.removeEventListener('abort', cancel);
    }
  } finally {
    await client?.destroy().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}
