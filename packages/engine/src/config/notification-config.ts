import type { EventType } from './event-types.js';

/** How a target's requests are shaped: the event as JSON, or a Slack incoming-webhook message. */
export const NOTIFICATION_FORMATS = ['json', 'slack'] as const;
export type NotificationFormat = (typeof NOTIFICATION_FORMATS)[number];

/** Defaults of a notification target's timing. */
export const DEFAULT_NOTIFICATION_TIMING = Object.freeze({
  timeoutMs: 10_000,
  backoffMs: 5_000,
  maxBackoffMs: 3_600_000,
  maxAgeMs: 24 * 3_600_000,
});

/**
 * One entry of `notifications:`: where the pipeline's events are sent. `headers` values and
 * `secret` are secrets (redacted everywhere, never stored in the state DB), as is a Slack URL's path.
 */
export interface NotificationConfig {
  readonly url: string;
  readonly format: NotificationFormat;
  /** The event types sent to it; default run.failed and run.interrupted. */
  readonly events: readonly EventType[];
  readonly headers: Readonly<Record<string, string>>;
  /** Signs every request (HMAC-SHA256); required for `json`, optional for `slack` (Slack does not check it). */
  readonly secret?: string;
  /** One request's timeout (`timeout`); default 10 s. */
  readonly timeoutMs: number;
  /** The first retry's delay (`backoff`), doubled per failed attempt up to an hour, with jitter; default 5 s. */
  readonly backoffMs: number;
  /** How long a delivery is retried before it is marked dead (`max_age`); default 24 h. */
  readonly maxAgeMs: number;
}
