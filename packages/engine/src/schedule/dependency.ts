/** When an upstream pipeline's run lets a dependent one start: only after it succeeded, or after it ended at all. */
export const DEPENDENCY_CONDITIONS = ['success', 'completion'] as const;
export type DependencyCondition = (typeof DEPENDENCY_CONDITIONS)[number];

/** When `on:` is not set: a failed upstream run does not start its dependents. */
export const DEFAULT_DEPENDENCY_CONDITION: DependencyCondition = 'success';

/** One `depends_on` entry: run after `pipeline`'s run ends as `on` says. */
export interface Dependency {
  readonly pipeline: string;
  readonly on: DependencyCondition;
}
