import { BYTE_SIZE_PATTERN } from './parse-byte-size.js';
import { DURATION_PATTERN } from './parse-duration.js';

/** `alerts:` of a pipeline: thresholds of the alerts `rapidbyte serve` evaluates. */
export const ALERTS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    stale_after: {
      type: ['number', 'string'],
      exclusiveMinimum: 0,
      pattern: DURATION_PATTERN,
      description: "a positive number of seconds or a duration like '2h' or '30m'",
    },
    slot_lag_bytes: {
      type: ['integer', 'string'],
      minimum: 1,
      pattern: BYTE_SIZE_PATTERN,
      description: "a positive number of bytes or a size like '1gb' or '512mb'",
    },
    consecutive_failures: { type: 'integer', minimum: 1 },
    dead_letters: { type: 'integer', minimum: 1 },
    check_every: {
      type: ['number', 'string'],
      exclusiveMinimum: 0,
      pattern: DURATION_PATTERN,
      description: "a positive number of seconds or a duration like '30s' or '1m'",
    },
  },
} as const;
