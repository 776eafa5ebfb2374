import type { RunRecord, RunTransitionRecord, TransitionRecord } from './state-records.js';
import type { StateStore } from './state-store.js';

/** A run with its run and stream transitions: one element of `rapidbyte runs --json`. */
export type RunWithTransitions = RunRecord & {
  readonly runTransitions: readonly RunTransitionRecord[];
  readonly transitions: readonly TransitionRecord[];
};

/** The newest runs (of `pipeline`, or all) with their transitions, as `runs --json` prints them. */
export async function listRunsWithTransitions(
  state: StateStore,
  options: { pipeline?: string; limit?: number },
): Promise<RunWithTransitions[]> {
  const runs = await state.listRuns(options);
  const out: RunWithTransitions[] = [];
  for (const r of runs)
    out.push({
      ...r,
      runTransitions: await state.listRunTransitions(r.runId),
      transitions: await state.listTransitions(r.runId),
    });
  return out;
}
