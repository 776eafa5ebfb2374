/** Status of a whole run: `running` until {@link StateStore.finishRun} records the outcome. */
export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'partial', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === 'string' && (RUN_STATUSES as readonly string[]).includes(value);
}
