import { EXIT_CODES } from './exit-codes.js';
import { reportFailure } from './report-failure.js';

/** `rapidbyte workers`: the cluster's workers as a table, or JSON. */
export async function workersCommand(opts: { readonly state?: string; readonly json?: boolean }): Promise<number> {
  const url = opts.state ?? process.env.RAPIDBYTE_STATE_URL ?? '';
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    process.stderr.write("rapidbyte: pass the cluster's state DB: --state postgres://… or set RAPIDBYTE_STATE_URL\n");
    return EXIT_CODES.configError;
  }
  try {
    const { formatWorkers, listWorkers } = await import('../cluster/list-workers.js');
    const workers = await listWorkers(url);
    process.stdout.write(`${opts.json ? JSON.stringify(workers, null, 2) : formatWorkers(workers)}\n`);
    return EXIT_CODES.ok;
  } catch (error) {
    return reportFailure(error);
  }
}

/** `rapidbyte stop --cluster <run>`: the run's coordinator drains it (like SIGINT on a local run). */
export async function stopClusterCommand(
  runId: string,
  opts: { readonly state?: string; readonly json?: boolean },
): Promise<number> {
  const url = opts.state ?? process.env.RAPIDBYTE_STATE_URL ?? '';
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    process.stderr.write("rapidbyte: pass the cluster's state DB: --state postgres://… or set RAPIDBYTE_STATE_URL\n");
    return EXIT_CODES.configError;
  }
  if (!/^\d+$/.test(runId)) {
    process.stderr.write(
      `rapidbyte: <run> must be a run id (\`rapidbyte runs\` lists them), got ${JSON.stringify(runId)}\n`,
    );
    return EXIT_CODES.configError;
  }
  try {
    const { stopClusterRun } = await import('../cluster/stop-cluster-run.js');
    const pipeline = await stopClusterRun(url, Number(runId));
    process.stdout.write(
      opts.json
        ? `${JSON.stringify({ runId: Number(runId), pipeline, stopping: true })}\n`
        : `run ${runId} of ${pipeline}: stopping (draining to the last checkpoint)\n`,
    );
    return EXIT_CODES.ok;
  } catch (error) {
    return reportFailure(error);
  }
}
