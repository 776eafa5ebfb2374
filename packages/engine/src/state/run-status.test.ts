import { describe, expect, it } from 'vitest';
import { RUN_STATUSES, RUN_TRANSITIONS, canTransitionRun, isTerminalRunStatus } from './run-status.js';

const ALLOWED = new Set([
  'pending>running',
  'pending>failed',
  'pending>cancelled',
  'pending>interrupted',
  'running>succeeded',
  'running>failed',
  'running>partial',
  'running>cancelled',
  'running>interrupted',
]);

describe('RUN_TRANSITIONS', () => {
  const pairs = RUN_STATUSES.flatMap((from) => RUN_STATUSES.map((to) => [from, to] as const));
  it.each(pairs)('%s -> %s', (from, to) => {
    expect(canTransitionRun(from, to)).toBe(ALLOWED.has(`${from}>${to}`));
  });

  it('terminal statuses allow nothing', () => {
    for (const s of RUN_STATUSES) {
      expect(isTerminalRunStatus(s)).toBe(RUN_TRANSITIONS[s].length === 0);
    }
  });
});
