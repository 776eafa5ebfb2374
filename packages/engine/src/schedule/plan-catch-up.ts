import { nextFireTimes, previousFireTime } from './next-fire-times.js';
import type { CatchUpPolicy, ScheduleTiming } from './schedule.js';

/** What to do about the ticks missed while the schedule was not served. */
export interface CatchUpPlan {
  /** Ticks to fire now: none for `catch_up: none`, the latest missed one for `one`. */
  readonly fire: readonly Date[];
  /** The first and the last missed tick (both the same when one was missed); absent when none was. */
  readonly missed?: { readonly first: Date; readonly last: Date };
  /** The first tick at or after `now`: the schedule goes on from there. */
  readonly next?: Date;
}

export interface CatchUpInput {
  readonly timing: ScheduleTiming;
  readonly catchUp: CatchUpPolicy;
  /** The tick the pipeline last fired for; absent when it never fired (nothing was missed then). */
  readonly lastFireAt?: Date;
  readonly now: Date;
}

/**
 * Plans the start of a schedule after downtime: ticks after `lastFireAt` and before `now` were
 * missed. `none` drops them all; `one` fires one run for the latest of them, however many there
 * were (one run of a batch pipeline catches up on all the data). Pure: the caller passes `now`.
 */
export function planCatchUp({ timing, catchUp, lastFireAt, now }: CatchUpInput): CatchUpPlan {
  const next = nextFireTimes(timing, new Date(now.getTime() - 1), 1)[0];
  const last = lastFireAt === undefined ? undefined : previousFireTime(timing, now);
  if (lastFireAt === undefined || last === undefined || last.getTime() <= lastFireAt.getTime()) {
    return { fire: [], ...(next && { next }) };
  }
  const first = nextFireTimes(timing, lastFireAt, 1)[0] as Date;
  return { fire: catchUp === 'one' ? [last] : [], missed: { first, last }, ...(next && { next }) };
}
