import { describe, expect, it } from 'vitest';
import { formatFireTime } from './format-fire-time.js';
import { nextFireTimes, previousFireTime } from './next-fire-times.js';
import type { ScheduleTiming } from './schedule.js';

const cron = (expr: string, timezone = 'UTC'): ScheduleTiming => ({ kind: 'cron', cron: expr, timezone });
const every = (text: string, everyMs: number): ScheduleTiming => ({ kind: 'every', every: text, everyMs });
const iso = (dates: readonly Date[]) => dates.map((d) => d.toISOString());
const local = (dates: readonly Date[], zone: string) => dates.map((d) => formatFireTime(d, zone));

describe('nextFireTimes: DST in Europe/Berlin', () => {
  it('a fixed-time job (30 2 * * *) runs once on the spring-forward day, at 03:00 when the gap ends (02:30 does not exist)', () => {
    const times = nextFireTimes(cron('30 2 * * *', 'Europe/Berlin'), new Date('2026-03-27T12:00:00Z'), 4);
    expect(local(times, 'Europe/Berlin')).toEqual([
      '2026-03-28T02:30:00+01:00',
      '2026-03-29T03:00:00+02:00', // the one run of 2026-03-29
      '2026-03-30T02:30:00+02:00',
      '2026-03-31T02:30:00+02:00',
    ]);
    expect(times.filter((t) => formatFireTime(t, 'Europe/Berlin').startsWith('2026-03-29'))).toHaveLength(1);
  });

  it('a fixed-time job (30 2 * * *) runs once on the fall-back day, at the first 02:30 (CEST), not again at the second (CET)', () => {
    const times = nextFireTimes(cron('30 2 * * *', 'Europe/Berlin'), new Date('2026-10-23T12:00:00Z'), 4);
    expect(local(times, 'Europe/Berlin')).toEqual([
      '2026-10-24T02:30:00+02:00',
      '2026-10-25T02:30:00+02:00', // 00:30Z; 02:30+01:00 (01:30Z) comes and goes without a run
      '2026-10-26T02:30:00+01:00',
      '2026-10-27T02:30:00+01:00',
    ]);
    expect(iso(times)[1]).toBe('2026-10-25T00:30:00.000Z');
  });

  it('the same with seconds (0 30 2 * * *): one run each DST day', () => {
    const spring = nextFireTimes(cron('0 30 2 * * *', 'Europe/Berlin'), new Date('2026-03-29T00:00:00Z'), 1);
    const autumn = nextFireTimes(cron('0 30 2 * * *', 'Europe/Berlin'), new Date('2026-10-25T00:00:00Z'), 2);
    expect(iso(spring)).toEqual(['2026-03-29T01:00:00.000Z']);
    expect(iso(autumn)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('an interval job (*/30 * * * *) runs on both passes through the repeated hour and skips the missing one', () => {
    const autumn = nextFireTimes(cron('*/30 * * * *', 'Europe/Berlin'), new Date('2026-10-24T23:50:00Z'), 6);
    expect(local(autumn, 'Europe/Berlin')).toEqual([
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:30:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-10-25T02:30:00+01:00',
      '2026-10-25T03:00:00+01:00',
      '2026-10-25T03:30:00+01:00',
    ]);
    const spring = nextFireTimes(cron('*/30 * * * *', 'Europe/Berlin'), new Date('2026-03-29T00:20:00Z'), 3);
    expect(local(spring, 'Europe/Berlin')).toEqual([
      '2026-03-29T01:30:00+01:00',
      '2026-03-29T03:00:00+02:00',
      '2026-03-29T03:30:00+02:00',
    ]);
  });
});

describe('nextFireTimes', () => {
  it('is strictly after `after` and deterministic', () => {
    const timing = cron('*/15 * * * *');
    const after = new Date('2026-01-01T00:15:00Z');
    expect(iso(nextFireTimes(timing, after, 3))).toEqual([
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T00:45:00.000Z',
      '2026-01-01T01:00:00.000Z',
    ]);
    expect(nextFireTimes(timing, after, 3)).toEqual(nextFireTimes(timing, after, 3));
    expect(nextFireTimes(timing, after, 0)).toEqual([]);
  });

  it('reads a 6-field cron with seconds first', () => {
    const times = nextFireTimes(cron('*/20 * * * * *'), new Date('2026-01-01T00:00:05.500Z'), 4);
    expect(iso(times)).toEqual([
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:01:20.000Z',
    ]);
  });

  it('reads cron as wall-clock time in the zone: 09:00 in New York, Kolkata (+05:30) and UTC are different instants', () => {
    const after = new Date('2026-01-15T00:00:00Z');
    expect(iso(nextFireTimes(cron('0 9 * * *', 'America/New_York'), after, 1))).toEqual(['2026-01-15T14:00:00.000Z']);
    expect(iso(nextFireTimes(cron('0 9 * * *', 'Asia/Kolkata'), after, 1))).toEqual(['2026-01-15T03:30:00.000Z']);
    expect(iso(nextFireTimes(cron('0 9 * * *'), after, 1))).toEqual(['2026-01-15T09:00:00.000Z']);
    // New York in summer time: UTC-4
    expect(iso(nextFireTimes(cron('0 9 * * *', 'America/New_York'), new Date('2026-07-15T00:00:00Z'), 1))).toEqual([
      '2026-07-15T13:00:00.000Z',
    ]);
  });

  it('reads names, ranges, lists and nicknames', () => {
    const after = new Date('2026-01-01T00:00:00Z'); // a Thursday
    expect(iso(nextFireTimes(cron('0 8 * * MON-FRI'), after, 3))).toEqual([
      '2026-01-01T08:00:00.000Z',
      '2026-01-02T08:00:00.000Z',
      '2026-01-05T08:00:00.000Z',
    ]);
    expect(iso(nextFireTimes(cron('0 0 1 JAN,JUL *'), after, 2))).toEqual([
      '2026-07-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
    expect(iso(nextFireTimes(cron('@daily'), after, 1))).toEqual(['2026-01-02T00:00:00.000Z']);
  });

  it('every: multiples of the interval since the epoch, strictly after `after`, whatever the zone', () => {
    expect(iso(nextFireTimes(every('10m', 600_000), new Date('2026-03-29T00:55:00Z'), 3))).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T01:10:00.000Z',
      '2026-03-29T01:20:00.000Z',
    ]);
    expect(iso(nextFireTimes(every('10m', 600_000), new Date('2026-03-29T01:00:00Z'), 1))).toEqual([
      '2026-03-29T01:10:00.000Z',
    ]);
    expect(iso(nextFireTimes(every('7s', 7000), new Date(0), 2))).toEqual([
      '1970-01-01T00:00:07.000Z',
      '1970-01-01T00:00:14.000Z',
    ]);
  });
});

describe('previousFireTime', () => {
  it('is the last tick strictly before the instant', () => {
    expect(previousFireTime(every('10m', 600_000), new Date('2026-01-01T00:20:00Z'))?.toISOString()).toBe(
      '2026-01-01T00:10:00.000Z',
    );
    expect(previousFireTime(every('10m', 600_000), new Date('2026-01-01T00:20:00.001Z'))?.toISOString()).toBe(
      '2026-01-01T00:20:00.000Z',
    );
    expect(previousFireTime(cron('*/15 * * * *'), new Date('2026-01-01T00:15:00Z'))?.toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    expect(previousFireTime(cron('30 2 * * *', 'Europe/Berlin'), new Date('2026-10-26T00:00:00Z'))?.toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });
});
