import type { RunRecord } from '../state/index.js';

const FAILED: ReadonlySet<string> = new Set(['failed', 'partial', 'interrupted']);

/**
 * How many of the newest finished runs failed in a row (`failed`, `partial` or `interrupted`);
 * 0 when the newest finished run succeeded. A cancelled run (a stop, a drain) neither counts nor
 * ends the streak. `runs` newest first.
 */
export function failureStreak(runs: readonly RunRecord[]): number {
  let streak = 0;
  for (const run of runs) {
    if (run.status === 'succeeded') break;
    if (FAILED.has(run.status)) streak++;
  }
  return streak;
}

/**
 * How long the pipeline's data has gone without a successful run (ms): since the newest
 * succeeded run finished, else since `watchedSince` (when serve began watching it). A CDC follower
 * that is running is fresh by definition (its lag is the slot alert's business). `runs` newest first.
 */
export function staleForMs(
  runs: readonly RunRecord[],
  options: { readonly now: Date; readonly watchedSince: Date; readonly following: boolean },
): number {
  if (options.following) return 0;
  const succeeded = runs.find((r) => r.status === 'succeeded' && r.finishedAt !== undefined);
  const since = succeeded?.finishedAt === undefined ? options.watchedSince.getTime() : Date.parse(succeeded.finishedAt);
  return Math.max(0, options.now.getTime() - since);
}

/**
 * The run whose dead letters the `dead_letters` alert counts: the newest one, once it stored some
 * or finished; while the newest is running without any, the newest finished one (a run that has
 * just started must not resolve the alert its predecessor raised).
 */
export function deadLetterRun(runs: readonly RunRecord[], storedByNewest: number): RunRecord | undefined {
  const [newest] = runs;
  if (newest === undefined) return undefined;
  if (newest.finishedAt !== undefined || storedByNewest > 0) return newest;
  return runs.find((r) => r.finishedAt !== undefined);
}
