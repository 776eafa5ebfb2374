import pg from 'pg';
import { DBOSClient } from '@dbos-inc/dbos-sdk';
import { tableIn } from '../state/postgres-sql.js';
import { CLUSTER_APPLICATION, CLUSTER_DBOS_SCHEMA } from './cluster-schema.js';
import { CLUSTER_STATE_SCHEMA } from './cluster-worker.js';

/** A run that `stop --cluster` cannot stop: unknown, already ended, or not a cluster run. */
export class ClusterRunNotStoppable extends Error {
  readonly kind = 'permanent' as const;
  readonly code = 'CONFIG_INVALID';
}

/**
 * `rapidbyte stop --cluster <run>`: cancels the run's coordinator workflow; its worker sees the
 * cancel within about a second and drains the run as SIGINT drains a local one (batch streams stop
 * at their next checkpoint, CDC followers drain, commit and acknowledge). Returns the pipeline.
 */
export async function stopClusterRun(url: string, runId: number): Promise<string> {
  const db = new pg.Client({ connectionString: url, application_name: 'rapidbyte-stop' });
  await db.connect();
  let client: DBOSClient | undefined;
  try {
    const run = (
      await db.query<{ pipeline: string; status: string }>(
        `SELECT pipeline, status FROM ${tableIn(CLUSTER_STATE_SCHEMA, 'runs')} WHERE run_id = $1`,
        [runId],
      )
    ).rows[0];
    if (!run) throw new ClusterRunNotStoppable(`no run ${runId} in this state DB`);
    client = await DBOSClient.create({
      systemDatabaseUrl: url,
      systemDatabaseSchemaName: CLUSTER_DBOS_SCHEMA,
      applicationName: CLUSTER_APPLICATION,
    });
    const coordinators = await client.listWorkflows({
      workflow_id_prefix: `run:${run.pipeline}:`,
      status: ['PENDING', 'ENQUEUED'],
    });
    if (coordinators.length === 0)
      throw new ClusterRunNotStoppable(
        `run ${runId} of ${run.pipeline} is ${run.status}: no cluster run of ${run.pipeline} is in progress`,
      );
    await client.cancelWorkflows(coordinators.map((w) => w.workflowID));
    return run.pipeline;
  } finally {
    await client?.destroy().catch(() => undefined);
    await db.end().catch(() => undefined);
  }
}
