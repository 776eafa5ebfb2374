import type { NewEvent } from './event-records.js';
/**
 * What `serve` did with one scheduled tick (or a trigger):
 * - `fired`: a run started for it; `caught-up`: the one run that makes up for ticks missed while
 *   nothing served the schedule; `triggered`: a run asked for through the API;
 * - `queued`: it waits behind the running run (`overlap: queue_one`);
 * - `skipped-overlap`: the pipeline was running (or one tick already waited); `skipped-paused`:
 *   the pipeline is paused; `skipped-locked`: another process (a manual `run`) holds the
 *   pipeline's lock; `skipped-upstream`: an upstream pipeline's run did not end as `depends_on` asks;
 *   `skipped-duplicate`: the tick was already fired (by another serve process, or by this one
 *   before a restart: its durable workflow exists);
 * - `failed-to-start`: the run could not begin (the reason says why).
 */
export const TICK_OUTCOMES = [
  'fired',
  'caught-up',
  'triggered',
  'queued',
  'skipped-overlap',
  'skipped-paused',
  'skipped-locked',
  'skipped-upstream',
  'skipped-duplicate',
  'failed-to-start',
] as const;
export type TickOutcome = (typeof TICK_OUTCOMES)[number];

/**
 * The outcomes that write a `schedule.skipped` event with the tick: a run the schedule asked for
 * did not happen. `skipped-duplicate` is not one of them (the tick did run, once, elsewhere).
 */
export const SKIPPED_TICK_OUTCOMES: readonly TickOutcome[] = [
  'skipped-overlap',
  'skipped-paused',
  'skipped-locked',
  'skipped-upstream',
];

/** The `schedule.skipped` event a tick writes with its record, or undefined when it writes none. */
export function skippedTickEvent(tick: NewTick, at: string): NewEvent | undefined {
  if (!SKIPPED_TICK_OUTCOMES.includes(tick.outcome)) return undefined;
  return {
    type: 'schedule.skipped',
    pipeline: tick.pipeline,
    at,
    payload: { tickAt: tick.tickAt, outcome: tick.outcome, ...(tick.reason !== undefined && { reason: tick.reason }) },
  };
}

/** One recorded tick. */
export interface TickRecord {
  readonly id: number;
  readonly pipeline: string;
  /** The tick's instant (ISO 8601, UTC); for a trigger, when it was asked for. */
  readonly tickAt: string;
  readonly outcome: TickOutcome;
  readonly reason?: string;
  /** The run it started, when it started one. */
  readonly runId?: number;
  readonly recordedAt: string;
}

/** A tick to record. */
export type NewTick = Omit<TickRecord, 'id' | 'recordedAt'>;
