import { describe, expect, it } from 'vitest';
import type { AlertStatus } from '../state/alert-records.js';
import type { AlertName } from '../config/alerts-config.js';
import { decideAlert } from './decide-alert.js';

/** Feeds a series of observed values through the decision, keeping the status as a monitor would. */
function replay(alert: AlertName, threshold: number, values: readonly (number | undefined)[]): string[] {
  let status: AlertStatus = 'ok';
  const moves: string[] = [];
  values.forEach((value, i) => {
    const move = decideAlert({ alert, status, value, threshold });
    if (move === 'fire') status = 'firing';
    if (move === 'resolve') status = 'ok';
    if (move !== undefined) moves.push(`${i}:${move}`);
  });
  return moves;
}

describe('decideAlert', () => {
  it('fires once when the value reaches the threshold and resolves once, however many checks in between', () => {
    expect(replay('dead_letters', 1, [0, 0, 1, 3, 5, 2, 0, 0])).toEqual(['2:fire', '6:resolve']);
    expect(replay('stale_after', 7_200_000, [10, 7_200_000, 9e6, 9e6, 5])).toEqual(['1:fire', '4:resolve']);
  });

  it('slot lag has hysteresis: a lag hovering around the threshold fires once, resolves only below half of it', () => {
    const mb = 1024 * 1024;
    expect(
      replay('slot_lag_bytes', 10 * mb, [0, 11 * mb, 9 * mb, 10.5 * mb, 9.9 * mb, 6 * mb, 4.9 * mb, 11 * mb]),
    ).toEqual(['1:fire', '6:resolve', '7:fire']);
  });

  it('consecutive failures resolve only when a run succeeded (the streak is 0)', () => {
    expect(replay('consecutive_failures', 3, [1, 2, 3, 4, 2, 1, 0, 3])).toEqual(['2:fire', '6:resolve', '7:fire']);
  });

  it('an unknown value (source unreachable, no slot yet) keeps the state: no fire, no resolve', () => {
    expect(replay('slot_lag_bytes', 100, [undefined, 200, undefined, undefined, 0])).toEqual(['1:fire', '4:resolve']);
    expect(replay('dead_letters', 1, [Number.NaN])).toEqual([]);
  });
});
