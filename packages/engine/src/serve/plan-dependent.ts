import type { Dependency } from '../schedule/index.js';
import { isTerminalRunStatus, type RunStatus } from '../state/index.js';

/** How an upstream pipeline's run in the current window ended. */
export interface UpstreamRun {
  readonly runId?: number;
  /** The run's status, or `not-started` when it could not begin. */
  readonly status: RunStatus | 'not-started';
}

/** Whether a dependent pipeline starts now, waits for more upstream runs, or is skipped (with why). */
export type DependentPlan =
  | { readonly action: 'wait' }
  | { readonly action: 'start'; readonly reason: string }
  | { readonly action: 'skip'; readonly reason: string };

const describe = (pipeline: string, run: UpstreamRun): string =>
  `${pipeline} ${run.runId === undefined ? 'run' : `run ${run.runId}`} ${run.status === 'not-started' ? 'did not start' : `ended ${run.status}`}`;

/** Whether `run` ends as `on` asks: `success` only for a succeeded run; `completion` for any finished one. */
export function meetsCondition(dependency: Dependency, run: UpstreamRun): boolean {
  if (dependency.on === 'success') return run.status === 'succeeded';
  return run.status !== 'not-started' && isTerminalRunStatus(run.status);
}

/**
 * Plans a dependent pipeline once an upstream run ended: it waits until every upstream of its
 * `depends_on` ended in this window, then starts when each ended as required, and is skipped
 * (naming the upstream runs at fault and the condition) otherwise.
 */
export function planDependent(
  dependsOn: readonly Dependency[],
  ended: ReadonlyMap<string, UpstreamRun>,
): DependentPlan {
  if (dependsOn.some((d) => !ended.has(d.pipeline))) return { action: 'wait' };
  const faults = dependsOn.filter((d) => !meetsCondition(d, ended.get(d.pipeline) as UpstreamRun));
  if (faults.length > 0) {
    return {
      action: 'skip',
      reason: `upstream ${faults.map((d) => `${describe(d.pipeline, ended.get(d.pipeline) as UpstreamRun)} (depends_on on: ${d.on})`).join('; ')}`,
    };
  }
  return {
    action: 'start',
    reason: `after ${dependsOn.map((d) => describe(d.pipeline, ended.get(d.pipeline) as UpstreamRun)).join(', ')}`,
  };
}
