import { describe, expect, it } from 'vitest';
import { decideOverlap } from './decide-overlap.js';
import { planCatchUp } from './plan-catch-up.js';
import type { ScheduleTiming } from './schedule.js';

const hourly: ScheduleTiming = { kind: 'cron', cron: '0 * * * *', timezone: 'UTC' };
const tenMinutes: ScheduleTiming = { kind: 'every', every: '10m', everyMs: 600_000 };
const at = (text: string) => new Date(text);

describe('planCatchUp after downtime', () => {
  // last fired for 10:00, down until 13:25: 11:00, 12:00 and 13:00 were missed
  const downtime = { timing: hourly, lastFireAt: at('2026-05-01T10:00:00Z'), now: at('2026-05-01T13:25:00Z') };

  it('catch_up none: fires nothing, reports the missed ticks and goes on with the next one', () => {
    const plan = planCatchUp({ ...downtime, catchUp: 'none' });
    expect(plan.fire).toEqual([]);
    expect(plan.missed).toEqual({ first: at('2026-05-01T11:00:00Z'), last: at('2026-05-01T13:00:00Z') });
    expect(plan.next).toEqual(at('2026-05-01T14:00:00Z'));
  });

  it('catch_up one: fires exactly one run, for the latest missed tick, however many were missed', () => {
    const plan = planCatchUp({ ...downtime, catchUp: 'one' });
    expect(plan.fire).toEqual([at('2026-05-01T13:00:00Z')]);
    const week = planCatchUp({
      timing: tenMinutes,
      catchUp: 'one',
      lastFireAt: at('2026-05-01T10:00:00Z'),
      now: at('2026-05-08T10:05:00Z'),
    });
    expect(week.fire).toEqual([at('2026-05-08T10:00:00Z')]);
    expect(week.missed?.first).toEqual(at('2026-05-01T10:10:00Z'));
    expect(week.next).toEqual(at('2026-05-08T10:10:00Z'));
  });

  it('nothing missed: no tick between the last fire and now', () => {
    for (const catchUp of ['none', 'one'] as const) {
      const plan = planCatchUp({
        timing: hourly,
        catchUp,
        lastFireAt: at('2026-05-01T10:00:00Z'),
        now: at('2026-05-01T10:59:59Z'),
      });
      expect(plan).toEqual({ fire: [], next: at('2026-05-01T11:00:00Z') });
    }
  });

  it('a tick exactly at now is due, not missed', () => {
    const plan = planCatchUp({
      timing: hourly,
      catchUp: 'none',
      lastFireAt: at('2026-05-01T10:00:00Z'),
      now: at('2026-05-01T11:00:00Z'),
    });
    expect(plan).toEqual({ fire: [], next: at('2026-05-01T11:00:00Z') });
  });

  it('a schedule that never fired has missed nothing', () => {
    const plan = planCatchUp({ timing: hourly, catchUp: 'one', now: at('2026-05-01T13:25:00Z') });
    expect(plan).toEqual({ fire: [], next: at('2026-05-01T14:00:00Z') });
  });

  it('one missed tick: first and last are the same', () => {
    const plan = planCatchUp({
      timing: hourly,
      catchUp: 'one',
      lastFireAt: at('2026-05-01T10:00:00Z'),
      now: at('2026-05-01T11:30:00Z'),
    });
    expect(plan.fire).toEqual([at('2026-05-01T11:00:00Z')]);
    expect(plan.missed).toEqual({ first: at('2026-05-01T11:00:00Z'), last: at('2026-05-01T11:00:00Z') });
  });

  it('across the fall-back night: the missed daily 02:30 is the first one (CEST)', () => {
    const daily: ScheduleTiming = { kind: 'cron', cron: '30 2 * * *', timezone: 'Europe/Berlin' };
    const plan = planCatchUp({
      timing: daily,
      catchUp: 'one',
      lastFireAt: at('2026-10-24T00:30:00Z'),
      now: at('2026-10-25T06:00:00Z'),
    });
    expect(plan.fire).toEqual([at('2026-10-25T00:30:00Z')]);
    expect(plan.missed).toEqual({ first: at('2026-10-25T00:30:00Z'), last: at('2026-10-25T00:30:00Z') });
  });
});

describe('decideOverlap', () => {
  it('starts when idle; skip drops a tick while running; queue_one keeps one waiting and drops the rest', () => {
    expect(decideOverlap('skip', { running: false, queued: false })).toBe('start');
    expect(decideOverlap('queue_one', { running: false, queued: false })).toBe('start');
    expect(decideOverlap('skip', { running: true, queued: false })).toBe('skip');
    expect(decideOverlap('queue_one', { running: true, queued: false })).toBe('queue');
    expect(decideOverlap('queue_one', { running: true, queued: true })).toBe('skip');
  });
});
