// `rapidbyte worker` processes of a test cluster, sharing one Postgres state DB.
import { spawnCli, waitFor, type SpawnedCli } from './spawn-cli.js';

/** One worker: its id and the `worker` options a test gives it. */
export interface WorkerSpec {
  readonly id: string;
  /** `--queues`: coordinators only (`runs`) or chains only (`chains`); default both. */
  readonly queues?: 'runs' | 'chains';
  readonly slots?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** Starts `rapidbyte worker --state <stateUrl>` and adds it to `into` (the file's afterAll ends them). */
export function startWorker(stateUrl: string, spec: WorkerSpec, into: SpawnedCli[]): SpawnedCli {
  const args = ['worker', '--state', stateUrl, '--worker-id', spec.id];
  if (spec.queues) args.push('--queues', spec.queues);
  if (spec.slots !== undefined) args.push('--slots', String(spec.slots));
  const worker = spawnCli(args, { env: { ...spec.env }, timeoutMs: spec.timeoutMs ?? 600_000 });
  into.push(worker);
  return worker;
}

/** Resolves once the worker printed `worker <id> ready`; fails when it exits first or after `timeoutMs`. */
export function workerReady(worker: SpawnedCli, id: string, timeoutMs = 60_000): Promise<true> {
  return waitFor(
    `worker ${id} ready`,
    async () => (worker.stderrSoFar().includes(`worker ${id} ready`) ? true : undefined),
    { cli: worker, timeoutMs },
  );
}
