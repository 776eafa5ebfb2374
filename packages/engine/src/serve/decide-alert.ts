import type { AlertName } from '../config/alerts-config.js';
import type { AlertStatus } from '../state/alert-records.js';

/**
 * A slot lag alert resolves only once the lag fell below this share of its threshold: a lag that
 * hovers around the threshold would otherwise fire and resolve on every other check.
 */
export const SLOT_LAG_RESOLVE_RATIO = 0.5;

/** One check of one alert: its stored status, what was observed (undefined: nothing could be), its threshold. */
export interface AlertCheck {
  readonly alert: AlertName;
  readonly status: AlertStatus;
  readonly value: number | undefined;
  readonly threshold: number;
}

/**
 * Whether a check moves the alert: `fire` when an `ok` alert's value reached its threshold,
 * `resolve` when a `firing` alert's value is back under its resolve level, otherwise nothing — so
 * an alert that stays over (or under) its threshold writes no event however often it is checked.
 * An unknown value (the source unreachable, no slot yet) moves nothing: the alert keeps its state.
 *
 * Resolve levels: slot lag below half the threshold (hysteresis); consecutive failures at 0 (a run
 * succeeded); staleness and dead letters below the threshold (a fresh run or a clean run ends them).
 */
export function decideAlert(check: AlertCheck): 'fire' | 'resolve' | undefined {
  const { alert, status, value, threshold } = check;
  if (value === undefined || !Number.isFinite(value)) return undefined;
  if (status === 'ok') return value >= threshold ? 'fire' : undefined;
  return value < resolveLevel(alert, threshold) ? 'resolve' : undefined;
}

function resolveLevel(alert: AlertName, threshold: number): number {
  switch (alert) {
    case 'slot_lag_bytes':
      return threshold * SLOT_LAG_RESOLVE_RATIO;
    case 'consecutive_failures':
      return 1;
    case 'stale_after':
    case 'dead_letters':
      return threshold;
  }
}
