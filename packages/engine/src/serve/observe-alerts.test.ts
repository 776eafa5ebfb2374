import { describe, expect, it } from 'vitest';
import type { RunRecord, RunStatus } from '../state/index.js';
import { deadLetterRun, failureStreak, staleForMs } from './observe-alerts.js';

let nextId = 100;
const run = (status: RunStatus, finishedAt?: string): RunRecord => ({
  runId: nextId--,
  pipeline: 'p',
  status,
  startedAt: '2024-01-01T00:00:00.000Z',
  ...(finishedAt !== undefined && { finishedAt }),
  streams: [],
});
const at = (minute: number): string => new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();

describe('alert observations', () => {
  it('failureStreak counts failed, partial and interrupted runs back to the last success; cancelled runs are neutral', () => {
    expect(failureStreak([])).toBe(0);
    expect(failureStreak([run('succeeded', at(5)), run('failed', at(4))])).toBe(0);
    expect(
      failureStreak([
        run('running'),
        run('failed', at(9)),
        run('cancelled', at(8)),
        run('partial', at(7)),
        run('interrupted', at(6)),
        run('succeeded', at(5)),
        run('failed', at(4)),
      ]),
    ).toBe(3);
  });

  it('staleForMs: since the newest success, else since serve began watching; a running follower is fresh', () => {
    const now = new Date(at(60));
    const watchedSince = new Date(at(30));
    const runs = [run('failed', at(50)), run('succeeded', at(20)), run('succeeded', at(10))];
    expect(staleForMs(runs, { now, watchedSince, following: false })).toBe(40 * 60_000);
    expect(staleForMs([run('failed', at(50))], { now, watchedSince, following: false })).toBe(30 * 60_000);
    expect(staleForMs(runs, { now, watchedSince, following: true })).toBe(0);
  });

  it('deadLetterRun: the newest run once it stored letters or finished, else the newest finished one', () => {
    const running = run('running');
    const finished = run('succeeded', at(3));
    expect(deadLetterRun([running, finished], 0)).toBe(finished);
    expect(deadLetterRun([running, finished], 2)).toBe(running);
    expect(deadLetterRun([finished], 0)).toBe(finished);
    expect(deadLetterRun([], 0)).toBeUndefined();
  });
});
