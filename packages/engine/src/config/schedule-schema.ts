import { CATCH_UP_POLICIES, DEPENDENCY_CONDITIONS, EVERY_PATTERN, OVERLAP_POLICIES } from '../schedule/index.js';

/** The pattern of a pipeline name, shared by `pipeline:` and `depends_on[].pipeline`. */
export const PIPELINE_NAME_PATTERN = '^[A-Za-z0-9_-]+$';

/**
 * `schedule:` of a pipeline. "exactly one of cron and every", the cron expression, the time zone
 * and the interval's size are checked by `checkSchedule`, whose messages say which part is wrong.
 */
export const SCHEDULE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cron: {
      type: 'string',
      minLength: 1,
      description: "a cron expression like '*/15 * * * *' (6 fields: seconds first)",
    },
    every: { type: 'string', pattern: EVERY_PATTERN, description: "an interval like '30s', '10m', '1h' or '1d'" },
    timezone: { type: 'string', minLength: 1, description: "an IANA time zone like 'Europe/Berlin'" },
    overlap: { enum: OVERLAP_POLICIES },
    catch_up: { enum: CATCH_UP_POLICIES },
  },
} as const;

/** `depends_on:` of a pipeline: upstream pipelines of the same project (names checked across the project). */
export const DEPENDS_ON_SCHEMA = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['pipeline'],
    properties: {
      pipeline: {
        type: 'string',
        pattern: PIPELINE_NAME_PATTERN,
        description: 'a pipeline name (letters, digits, _ and -)',
      },
      on: { enum: DEPENDENCY_CONDITIONS },
    },
  },
} as const;
