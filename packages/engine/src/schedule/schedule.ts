/** What a scheduled tick does while the pipeline's previous run is still going. */
export const OVERLAP_POLICIES = ['skip', 'queue_one'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** What happens to the ticks missed while nothing was serving the schedule. */
export const CATCH_UP_POLICIES = ['none', 'one'] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];

/** When `overlap:` is not set: a tick that finds the pipeline running is dropped. */
export const DEFAULT_OVERLAP: OverlapPolicy = 'skip';
/** When `catch_up:` is not set: after downtime, one run makes up for everything missed. */
export const DEFAULT_CATCH_UP: CatchUpPolicy = 'one';
/** Cron without `timezone:` is read in UTC, so a schedule means the same on every machine. */
export const DEFAULT_TIMEZONE = 'UTC';

/** A cron expression read as wall-clock time in an IANA time zone. */
export interface CronTiming {
  readonly kind: 'cron';
  /** 5 fields (minute first) or 6 (seconds first), or a nickname like `@daily`. */
  readonly cron: string;
  /** Canonical IANA name, e.g. 'Europe/Berlin'. */
  readonly timezone: string;
}

/** A fixed interval in real time, at the multiples of it since the Unix epoch. */
export interface EveryTiming {
  readonly kind: 'every';
  /** As written, e.g. '10m'. */
  readonly every: string;
  /** Whole seconds, in milliseconds. */
  readonly everyMs: number;
}

/** When a pipeline's ticks fall. */
export type ScheduleTiming = CronTiming | EveryTiming;

/** A pipeline's `schedule:` block, validated, with its defaults applied. */
export type Schedule = ScheduleTiming & {
  readonly overlap: OverlapPolicy;
  readonly catchUp: CatchUpPolicy;
};
