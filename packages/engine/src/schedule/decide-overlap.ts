import type { OverlapPolicy } from './schedule.js';

/** What a tick does: start a run, wait behind the running one, or drop itself. */
export type OverlapDecision = 'start' | 'queue' | 'skip';

/**
 * The `overlap:` rule for a tick that comes while the pipeline may be running: `skip` drops it;
 * `queue_one` keeps one tick waiting to start when the run ends (a later tick finding one waiting
 * is dropped: one run after the current one catches up on everything the ticks asked for).
 */
export function decideOverlap(
  policy: OverlapPolicy,
  pipeline: { readonly running: boolean; readonly queued: boolean },
): OverlapDecision {
  if (!pipeline.running) return 'start';
  return policy === 'queue_one' && !pipeline.queued ? 'queue' : 'skip';
}
