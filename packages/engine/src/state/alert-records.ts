import type { NewEvent } from './event-records.js';

/** An alert is quiet (`ok`) or `firing`; it moves only between the two, one event per move. */
export const ALERT_STATUSES = ['ok', 'firing'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** An alert's persisted state: what the last evaluation decided, so a restart neither re-fires nor forgets. */
export interface AlertStateRecord {
  pipeline: string;
  /** The alert's key in `alerts:` (`slot_lag_bytes`, `stale_after`, …). */
  alert: string;
  status: AlertStatus;
  /** ISO-8601 UTC: when it entered `status`. */
  since: string;
  /** The observed value at that move (bytes, seconds, runs, letters). */
  value?: number;
  /** The outbox event of that move. */
  eventId?: number;
}

/**
 * A move of an alert from `from` to `to` (compare-and-set: it happens only if the stored status is
 * still `from`; no row counts as `ok`), with the event it writes in the same transaction.
 */
export interface AlertMove {
  pipeline: string;
  alert: string;
  from: AlertStatus;
  to: AlertStatus;
  value: number;
  event: NewEvent;
}
