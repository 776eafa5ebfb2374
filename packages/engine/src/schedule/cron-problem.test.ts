import { describe, expect, it } from 'vitest';
import { closestName } from './closest-name.js';
import { cronProblem } from './cron-problem.js';
import { formatFireTime } from './format-fire-time.js';
import { parseEvery } from './parse-every.js';
import { resolveTimeZone } from './resolve-time-zone.js';

describe('cronProblem names the field at fault', () => {
  it.each([
    ['*/15 * * * *'],
    ['0 30 2 * * *'],
    ['0 8 * * MON-FRI'],
    ['0 0 1 jan,jul *'],
    ['0 0 L * *'],
    ['0 12 * * FRI#L'],
    ['0 0-30/5 9-17 * * 1-5'],
    ['@hourly'],
    ['  5 4 * * *  '],
  ])('%s is valid', (expr) => {
    expect(cronProblem(expr)).toBeUndefined();
  });

  it.each([
    ['61 * * * *', "minute field '61': 61 is out of range 0-59"],
    ['* 25 * * *', "hour field '25': 25 is out of range 0-23"],
    ['* * 32 * *', "day-of-month field '32': 32 is out of range 1-31"],
    ['* * * 13 *', "month field '13': 13 is out of range 1-12"],
    ['* * * * 8', "day-of-week field '8': 8 is out of range 0-7"],
    ['60 * * * * *', "second field '60': 60 is out of range 0-59"],
    ['1-70 * * * *', "minute field '1-70': 70 is out of range 0-59"],
    ['*/0 * * * *', "minute field '*/0': step 0 must be at least 1"],
    ['30-10 * * * *', "minute field '30-10': range 30-10 runs backwards"],
    ['x * * * *', "minute field 'x': 'x' is not a number"],
    ['0 0 * FOO *', "month field 'FOO': 'FOO' is not a number or a name (JAN-DEC)"],
    ['5/10 * * * *', "minute field '5/10': '5/10': a step needs * or a range before it (*/10 or 5-59/10)"],
    ['1,,2 * * * *', "minute field '1,,2': empty list item"],
    [
      '* * * *',
      '4 field(s); expected 5 (minute hour day-of-month month day-of-week) or 6 (second minute hour day-of-month month day-of-week)',
    ],
    ['* * * * * * *', '7 field(s); expected 5'],
    ['@reboot', "unknown nickname '@reboot'"],
    ['0 0 30 2 *', 'matches no date'],
  ])('%s: %s', (expr, expected) => {
    expect(cronProblem(expr)).toContain(expected);
  });
});

describe('parseEvery', () => {
  it('reads a number and a unit in whole seconds of at least 1s', () => {
    expect(parseEvery('10m')).toEqual({ ms: 600_000 });
    expect(parseEvery('1s')).toEqual({ ms: 1000 });
    expect(parseEvery('1.5h')).toEqual({ ms: 5_400_000 });
    expect(parseEvery('1d')).toEqual({ ms: 86_400_000 });
    expect(parseEvery('500ms')).toEqual({ problem: 'must be at least 1s' });
    expect(parseEvery('0s')).toEqual({ problem: 'must be at least 1s' });
    expect(parseEvery('1.5s')).toEqual({ problem: 'must be a whole number of seconds' });
    expect(parseEvery('10')).toHaveProperty('problem');
    expect(parseEvery('ten minutes')).toHaveProperty('problem');
  });
});

describe('time zones', () => {
  it('resolves IANA names to their canonical spelling and suggests the closest for a typo', () => {
    expect(resolveTimeZone('Europe/Berlin')).toEqual({ timezone: 'Europe/Berlin' });
    expect(resolveTimeZone('UTC')).toEqual({ timezone: 'UTC' });
    expect(resolveTimeZone('europe/berlin')).toEqual({ timezone: 'Europe/Berlin' });
    const typo = resolveTimeZone('Europe/Berln');
    expect(typo).toEqual({
      problem: expect.stringContaining("unknown time zone 'Europe/Berln' (did you mean 'Europe/Berlin'?)"),
    });
    expect(resolveTimeZone('Mars/Olympus_Mons')).toEqual({ problem: expect.not.stringContaining('did you mean') });
  });

  it('formats an instant as wall-clock time with its offset', () => {
    expect(formatFireTime(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+02:00');
    expect(formatFireTime(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+01:00');
    expect(formatFireTime(new Date('2026-01-15T03:30:00Z'), 'Asia/Kolkata')).toBe('2026-01-15T09:00:00+05:30');
    expect(formatFireTime(new Date('2026-01-15T14:00:00Z'), 'America/New_York')).toBe('2026-01-15T09:00:00-05:00');
    expect(formatFireTime(new Date('2026-01-15T14:00:00.750Z'), 'UTC')).toBe('2026-01-15T14:00:00Z');
  });

  it('closestName allows about one edit per three characters', () => {
    expect(closestName('raw_order', ['raw_orders', 'customers'])).toBe('raw_orders');
    expect(closestName('zzz', ['raw_orders'])).toBeUndefined();
  });
});
