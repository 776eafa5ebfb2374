/**
 * One sample of a CDC stream's lag, taken when the stream commits: how many bytes of WAL the
 * source server had written past the LSN the destination just committed.
 */
export interface CdcLagSample {
  readonly pipeline: string;
  readonly stream: string;
  /** ISO time of the commit. */
  readonly at: string;
  readonly lagBytes: number;
}

/** How long samples are kept: recording one drops its pipeline's samples older than this. */
export const CDC_LAG_RETENTION_MS = 3 * 3_600_000;
