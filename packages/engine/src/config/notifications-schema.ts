import { EVENT_TYPES } from './event-types.js';
import { NOTIFICATION_FORMATS } from './notification-config.js';
import { DURATION_PATTERN } from './parse-duration.js';

const duration = (example: string) =>
  ({
    type: ['number', 'string'],
    exclusiveMinimum: 0,
    pattern: DURATION_PATTERN,
    description: `a positive number of seconds or a duration like ${example}`,
  }) as const;

/** `notifications:` of a pipeline: webhook targets of its lifecycle events. */
export const NOTIFICATIONS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      url: { type: 'string', pattern: '^https?://[^\\s/?#]+', description: 'an http:// or https:// URL' },
      format: { enum: NOTIFICATION_FORMATS },
      events: { type: 'array', minItems: 1, items: { enum: EVENT_TYPES } },
      headers: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'a map of header name to string value',
      },
      secret: { type: 'string', minLength: 1 },
      timeout: duration("'10s'"),
      backoff: duration("'5s' or '500ms'"),
      max_age: duration("'24h'"),
    },
  },
} as const;
