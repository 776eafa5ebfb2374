import type { EventType } from './event-types.js';

/**
 * The alerts `rapidbyte serve` evaluates, by their key in `alerts:`. Each fires one event when it
 * starts and one when it resolves (never one per check); its state is kept in the state DB.
 */
export const ALERT_NAMES = ['stale_after', 'slot_lag_bytes', 'consecutive_failures', 'dead_letters'] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

/** The event each alert writes when it fires and when it resolves. */
export const ALERT_EVENTS: Readonly<Record<AlertName, { readonly firing: EventType; readonly resolved: EventType }>> =
  Object.freeze({
    stale_after: { firing: 'data.stale', resolved: 'data.fresh' },
    slot_lag_bytes: { firing: 'cdc.slot_lag_exceeded', resolved: 'cdc.slot_lag_resolved' },
    consecutive_failures: { firing: 'runs.failing', resolved: 'runs.recovered' },
    dead_letters: { firing: 'dead_letters.exceeded', resolved: 'dead_letters.resolved' },
  });

/** How often serve evaluates a pipeline's alerts when `alerts.check_every` is absent. */
export const DEFAULT_ALERT_CHECK_MS = 30_000;

/** `alerts:` of a pipeline; an absent key is an alert that is off. */
export interface AlertsConfig {
  /** `stale_after`: no successful run (and no running CDC follower) for this long. */
  readonly staleAfterMs?: number;
  /** `slot_lag_bytes`: WAL the pipeline's replication slot retains behind its confirmed position. */
  readonly slotLagBytes?: number;
  /** `consecutive_failures`: this many finished runs in a row failed. */
  readonly consecutiveFailures?: number;
  /** `dead_letters`: the last finished run stored at least this many dead letters. */
  readonly deadLetters?: number;
  /** `check_every`: how often serve evaluates them; default 30 s. */
  readonly checkEveryMs: number;
}
