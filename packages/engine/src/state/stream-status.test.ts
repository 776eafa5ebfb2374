import { describe, expect, it } from 'vitest';
import {
  STREAM_STATUSES,
  STREAM_TRANSITIONS,
  canTransition,
  isTerminalStreamStatus,
  retriesExhausted,
} from './stream-status.js';

const ALLOWED = new Set([
  'pending>running',
  'pending>cancelled',
  'pending>failed',
  'pending>interrupted',
  'running>retrying',
  'running>succeeded',
  'running>failed',
  'running>cancelled',
  'running>interrupted',
  'retrying>running',
  'retrying>failed',
  'retrying>cancelled',
  'retrying>interrupted',
]);

describe('STREAM_TRANSITIONS', () => {
  const pairs = STREAM_STATUSES.flatMap((from) => STREAM_STATUSES.map((to) => [from, to] as const));
  it.each(pairs)('%s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(ALLOWED.has(`${from}>${to}`));
  });

  it('terminal statuses allow nothing', () => {
    for (const s of STREAM_STATUSES) {
      expect(isTerminalStreamStatus(s)).toBe(STREAM_TRANSITIONS[s].length === 0);
    }
  });
});

describe('retriesExhausted', () => {
  it('is a failed stream whose error was transient, and nothing else', () => {
    const exhausted = STREAM_STATUSES.flatMap((status) =>
      (['transient', 'permanent', undefined] as const)
        .filter((kind) => retriesExhausted(status, kind))
        .map((kind) => `${status}/${kind}`),
    );
    expect(exhausted).toEqual(['failed/transient']);
  });
});
