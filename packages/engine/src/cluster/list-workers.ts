import pg from 'pg';
import { tableIn } from '../state/postgres-sql.js';
import { ensureClusterSchema } from './cluster-schema.js';
import { CLUSTER_STATE_SCHEMA } from './cluster-worker.js';

/** One worker as `rapidbyte workers` shows it. */
export interface WorkerView {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  readonly status: 'live' | 'stopped' | 'lost';
  readonly slots: number;
  readonly version: string;
  readonly startedAt: string;
  readonly lastHeartbeat: string;
  /** Seconds since its last heartbeat, by the state DB's clock. */
  readonly heartbeatAgeSeconds: number;
  /** The chains it runs now (their workflow ids: `chain:<pipeline>:<run>:<stream>[#shard]`). */
  readonly chains: readonly string[];
  readonly lostReason?: string;
}

/** The workers of the cluster whose state DB is `url`, with the chains each runs. */
export async function listWorkers(url: string): Promise<WorkerView[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'rapidbyte-workers' });
  await client.connect();
  try {
    await ensureClusterSchema(client, CLUSTER_STATE_SCHEMA);
    const rows = await client.query<{
      worker_id: string;
      host: string;
      pid: number;
      status: WorkerView['status'];
      slots: number;
      version: string;
      started_at: Date;
      heartbeat_at: Date;
      age: number;
      lost_reason: string | null;
      chains: string[] | null;
    }>(
      `SELECT w.*, EXTRACT(EPOCH FROM (now() - w.heartbeat_at))::float8 AS age,
         (SELECT array_agg(c.chain_id ORDER BY c.chain_id) FROM ${tableIn(CLUSTER_STATE_SCHEMA, 'cluster_chains')} c
           WHERE c.worker_id = w.worker_id AND c.finished_at IS NULL) AS chains
       FROM ${tableIn(CLUSTER_STATE_SCHEMA, 'cluster_workers')} w ORDER BY w.worker_id`,
    );
    return rows.rows.map((r) => ({
      workerId: r.worker_id,
      host: r.host,
      pid: r.pid,
      status: r.status,
      slots: r.slots,
      version: r.version,
      startedAt: r.started_at.toISOString(),
      lastHeartbeat: r.heartbeat_at.toISOString(),
      heartbeatAgeSeconds: Math.round(r.age * 10) / 10,
      chains: r.status === 'live' ? (r.chains ?? []) : [],
      ...(r.lost_reason ? { lostReason: r.lost_reason } : {}),
    }));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The workers as a table. */
export function formatWorkers(workers: readonly WorkerView[]): string {
  if (workers.length === 0) return 'no workers have joined this cluster';
  const header = ['WORKER', 'STATUS', 'SLOTS', 'RUNNING', 'HEARTBEAT', 'HOST/PID', 'CHAINS'];
  const rows = workers.map((w) => [
    w.workerId,
    w.status,
    String(w.slots),
    String(w.chains.length),
    `${w.heartbeatAgeSeconds}s ago`,
    `${w.host}/${w.pid}`,
    w.chains.join(', ') || (w.lostReason ?? '-'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
