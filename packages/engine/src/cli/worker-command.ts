import { EXIT_CODES } from './exit-codes.js';
import { cliEngineOptions } from './engine-options-from-env.js';
import { engineVersion } from './engine-version.js';
import { reportFailure } from './report-failure.js';

export interface WorkerCommandOptions {
  /** `--state <url>`; else RAPIDBYTE_STATE_URL. */
  readonly state?: string;
  readonly workerId?: string;
  readonly slots?: string;
  /** `--queues runs,chains`. */
  readonly queues?: string;
  readonly logFormat?: 'text' | 'json';
}

/** The exit code of a worker that lost its lease (it stopped its chains; the others took them over). */
export const LEASE_LOST_EXIT_CODE = 75;

/**
 * `rapidbyte worker`: runs the cluster's runs and chains until SIGTERM/SIGINT (drain to the last
 * checkpoint, hand the work over, exit 0; a second signal exits 130 at once). A worker that loses
 * its lease stops its chains and exits {@link LEASE_LOST_EXIT_CODE}.
 */
export async function workerCommand(opts: WorkerCommandOptions): Promise<number> {
  const stateUrl = opts.state ?? process.env.RAPIDBYTE_STATE_URL ?? '';
  if (!/^postgres(ql)?:\/\//i.test(stateUrl)) {
    process.stderr.write(
      "rapidbyte: a worker needs the cluster's PostgreSQL state DB: pass --state postgres://… or set RAPIDBYTE_STATE_URL (cluster mode does not run on SQLite)\n",
    );
    return EXIT_CODES.configError;
  }
  const slots = opts.slots === undefined ? undefined : Number(opts.slots);
  if (slots !== undefined && (!Number.isSafeInteger(slots) || slots < 1)) {
    process.stderr.write(`rapidbyte: --slots must be a positive integer, got ${JSON.stringify(opts.slots)}\n`);
    return EXIT_CODES.configError;
  }
  const queues = (opts.queues ?? 'runs,chains').split(',').map((q) => q.trim());
  const unknown = queues.filter((q) => q !== 'runs' && q !== 'chains');
  if (unknown.length > 0 || queues.length === 0) {
    process.stderr.write(
      `rapidbyte: --queues takes runs and/or chains (comma-separated), got ${JSON.stringify(opts.queues)}\n`,
    );
    return EXIT_CODES.configError;
  }
  const print = (level: string, message: string): void => {
    if (level === 'debug') return;
    const line =
      opts.logFormat === 'json'
        ? JSON.stringify({ at: new Date().toISOString(), level, message })
        : `${level === 'info' ? '' : `${level}: `}${message}`;
    process.stderr.write(`${line}\n`);
  };
  const engine = cliEngineOptions();
  const lease = Number(process.env.RAPIDBYTE_TEST_LEASE_TIMEOUT_MS ?? '');
  let lostExit: ((code: number) => void) | undefined;
  try {
    const { startWorker } = await import('../cluster/cluster-worker.js');
    const handle = await startWorker({
      stateUrl,
      ...(opts.workerId !== undefined ? { workerId: opts.workerId } : {}),
      ...(slots !== undefined ? { slots } : {}),
      queues: queues as ('runs' | 'chains')[],
      version: `rapidbyte-${engineVersion()}`,
      env: process.env,
      connectorsPath: engine.connectorsPath,
      switches: engine.switches,
      faults: engine.faults,
      ...(engine.drainGraceMs !== undefined ? { drainGraceMs: engine.drainGraceMs } : {}),
      ...(Number.isFinite(lease) && lease > 0 ? { leaseTimeoutMs: lease } : {}),
      log: print,
      onLeaseLost: () => {
        // the chains were told to stop; whatever they still do is refused by the destination's fencing
        setTimeout(() => lostExit?.(LEASE_LOST_EXIT_CODE), 2_000).unref();
      },
    });
    return await new Promise<number>((resolveExit) => {
      lostExit = (code) => process.exit(code);
      let stopping = false;
      const stop = (): void => {
        if (stopping) process.exit(EXIT_CODES.interrupted);
        stopping = true;
        print('info', `worker ${handle.workerId}: draining its chains to their last checkpoint`);
        handle.stop().then(
          () => resolveExit(EXIT_CODES.ok),
          (error: unknown) => resolveExit(reportFailure(error)),
        );
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
  } catch (error) {
    return reportFailure(error);
  }
}
