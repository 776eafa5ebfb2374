import type { StateStore } from '../state/index.js';

/** At most one lag sample per stream this often: a busy CDC stream commits many times a second. */
export const CDC_LAG_SAMPLE_EVERY_MS = 10_000;

/**
 * The replication hubs' `onLag`: records a CDC stream's lag at its commits in the state DB, one
 * sample per stream per {@link CDC_LAG_SAMPLE_EVERY_MS}. A failed write loses that sample only
 * (the lag chart is informational); `warn` says so.
 */
export function cdcLagRecorder(
  state: Pick<StateStore, 'recordCdcLag'>,
  pipeline: string,
  warn: (message: string) => void,
  now: () => number = Date.now,
): (stream: string, lagBytes: number) => void {
  const last = new Map<string, number>();
  return (stream, lagBytes) => {
    const t = now();
    const previous = last.get(stream);
    if (previous !== undefined && t - previous < CDC_LAG_SAMPLE_EVERY_MS) return;
    last.set(stream, t);
    state.recordCdcLag({ pipeline, stream, lagBytes }).catch((error: unknown) => {
      warn(`${stream}: could not record a CDC lag sample in the state DB: ${(error as Error).message}`);
    });
  };
}
