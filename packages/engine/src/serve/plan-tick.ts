import { decideOverlap, type OverlapPolicy } from '../schedule/index.js';

/** What to do with a tick now: start a run, keep it waiting behind the running one, or record why it was dropped. */
export type TickPlan =
  | { readonly action: 'start' }
  | { readonly action: 'queue' }
  | { readonly action: 'skip'; readonly outcome: 'skipped-paused' | 'skipped-overlap'; readonly reason: string };

/** What the scheduler knows of a pipeline when one of its ticks comes. */
export interface PipelineTickState {
  readonly paused: boolean;
  /** The run in progress in this process, if any (its id once it began). */
  readonly running?: { readonly runId?: number };
  /** A tick already waits behind the running run. */
  readonly queued: boolean;
  readonly overlap: OverlapPolicy;
}

/**
 * Plans one tick. A paused pipeline records its ticks as skipped (they are not caught up on
 * resume: pausing means "no runs"); otherwise the `overlap:` rule decides.
 */
export function planTick(state: PipelineTickState): TickPlan {
  if (state.paused)
    return {
      action: 'skip',
      outcome: 'skipped-paused',
      reason: 'the pipeline is paused (`rapidbyte resume <pipeline>` resumes it)',
    };
  const decision = decideOverlap(state.overlap, { running: state.running !== undefined, queued: state.queued });
  if (decision === 'start') return { action: 'start' };
  if (decision === 'queue') return { action: 'queue' };
  const run = state.running?.runId === undefined ? 'its previous run' : `run ${state.running.runId}`;
  const reason = state.queued
    ? `${run} is still running and a tick already waits behind it (overlap: queue_one)`
    : `${run} is still running (overlap: ${state.overlap})`;
  return { action: 'skip', outcome: 'skipped-overlap', reason };
}
