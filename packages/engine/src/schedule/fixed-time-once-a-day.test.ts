import { describe, expect, it } from 'vitest';
import { formatFireTime } from './format-fire-time.js';
import { nextFireTimes } from './next-fire-times.js';

// Each zone with a time of day that its 2026 DST changes skip or repeat: both hemispheres,
// changes at midnight (Santiago), a 30-minute change (Lord Howe), a 45-minute offset (Chatham),
// and a zone without DST (Kolkata).
/** zone, minute, hour, and the day whose tick the gap moves (to the gap's end), if any. */
const CASES: readonly [zone: string, minute: number, hour: number, moved: string | undefined][] = [
  ['Europe/Berlin', 30, 2, '2026-03-29T03:00:00+02:00'],
  ['Europe/London', 30, 1, '2026-03-29T02:00:00+01:00'],
  ['America/New_York', 30, 2, '2026-03-08T03:00:00-04:00'],
  ['America/New_York', 30, 1, undefined], // repeated on 2026-11-01: once
  ['Australia/Sydney', 30, 2, '2026-10-04T03:00:00+11:00'],
  ['America/Santiago', 30, 0, '2026-09-06T01:00:00-03:00'],
  ['America/Santiago', 30, 23, undefined],
  ['Australia/Lord_Howe', 15, 2, '2026-10-04T02:30:00+11:00'],
  ['Australia/Lord_Howe', 45, 1, undefined],
  ['Pacific/Chatham', 0, 3, '2026-09-27T03:45:00+13:45'],
  ['Asia/Kolkata', 30, 2, undefined],
];

describe('a fixed-time cron job runs exactly once on every local day of 2026, DST days included', () => {
  it.each(CASES)('%s at %i past %i', (zone, minute, hour, moved) => {
    const ticks = nextFireTimes(
      { kind: 'cron', cron: `${minute} ${hour} * * *`, timezone: zone },
      new Date('2025-12-30T00:00:00Z'),
      370,
    );
    const local = ticks.map((t) => formatFireTime(t, zone)).filter((l) => l.startsWith('2026-'));
    expect(local).toHaveLength(365);
    expect(new Set(local.map((l) => l.slice(0, 10))).size).toBe(365);
    // at the time asked for, except on the day a DST gap removes it: at the gap's end
    const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
    expect(local.filter((l) => l.slice(11, 16) !== time)).toEqual(moved === undefined ? [] : [moved]);
  });
});
