import { cronJob } from './cron-problem.js';
import type { ScheduleTiming } from './schedule.js';

/**
 * The first `count` ticks of `timing` strictly after `after`, oldest first; deterministic (no
 * clock is read). Cron ticks are wall-clock times in the timing's zone, moving in real time
 * across DST changes (croner's rules, which are Vixie cron's):
 * - a fixed-time job (one value in each of second, minute and hour: `30 2 * * *`) runs once on
 *   the fall-back day, at the first 02:30, and on the spring-forward day at the first valid time
 *   after the gap (03:00 in Europe/Berlin), so it runs exactly once every day;
 * - an interval job (a wildcard, step, range or list in those fields, e.g. every 15 minutes) skips
 *   the times the gap removes and runs on both passes through the repeated hour, as an interval
 *   in real time would.
 * `every` ticks are the multiples of the interval since 1970-01-01T00:00Z: no zone, no DST.
 * Fewer than `count` come back only for a cron expression with no later match.
 */
export function nextFireTimes(timing: ScheduleTiming, after: Date, count: number): Date[] {
  if (count <= 0) return [];
  if (timing.kind === 'every') {
    const first = (Math.floor(after.getTime() / timing.everyMs) + 1) * timing.everyMs;
    return Array.from({ length: count }, (_, i) => new Date(first + i * timing.everyMs));
  }
  return cronJob(timing.cron, timing.timezone).nextRuns(count, after);
}

/** The last tick of `timing` strictly before `before`, if there is one. */
export function previousFireTime(timing: ScheduleTiming, before: Date): Date | undefined {
  if (timing.kind === 'every') {
    const last = (Math.ceil(before.getTime() / timing.everyMs) - 1) * timing.everyMs;
    return new Date(last);
  }
  return cronJob(timing.cron, timing.timezone).previousRuns(1, before)[0];
}
