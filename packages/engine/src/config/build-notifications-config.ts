import { DEFAULT_NOTIFIED_EVENTS, type EventType } from './event-types.js';
import {
  DEFAULT_NOTIFICATION_TIMING,
  type NotificationConfig,
  type NotificationFormat,
} from './notification-config.js';
import { parseDuration } from './parse-duration.js';
import type { IssueCollector } from './issue-collector.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- schema-validated input
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- reads of Raw, as above */

/** `notifications` of a validated raw document, defaults applied; absent when the key is. */
export function buildNotificationsConfig(doc: Raw): { notifications?: readonly NotificationConfig[] } {
  if (doc.notifications === undefined) return {};
  return {
    notifications: (doc.notifications as Raw[]).map((n): NotificationConfig => ({
      url: String(n.url),
      format: (n.format as NotificationFormat | undefined) ?? 'json',
      events: [...((n.events as EventType[] | undefined) ?? DEFAULT_NOTIFIED_EVENTS)],
      headers: { ...((n.headers as Record<string, string> | undefined) ?? {}) },
      ...(n.secret !== undefined && { secret: String(n.secret) }),
      timeoutMs: n.timeout === undefined ? DEFAULT_NOTIFICATION_TIMING.timeoutMs : (parseDuration(n.timeout) as number),
      backoffMs: n.backoff === undefined ? DEFAULT_NOTIFICATION_TIMING.backoffMs : (parseDuration(n.backoff) as number),
      maxAgeMs: n.max_age === undefined ? DEFAULT_NOTIFICATION_TIMING.maxAgeMs : (parseDuration(n.max_age) as number),
    })),
  };
}

/**
 * What the schema cannot say about `notifications`: a json target is signed, so it needs a
 * secret; durations like '0s' match the pattern but are not positive; the URL must parse.
 */
export function checkNotifications(data: unknown, issues: IssueCollector): void {
  if (typeof data !== 'object' || data === null) return;
  const list = (data as Raw).notifications;
  if (!Array.isArray(list)) return;
  list.forEach((n: unknown, i) => {
    if (typeof n !== 'object' || n === null) return;
    const target = n as Raw;
    if ((target.format ?? 'json') === 'json' && target.secret === undefined) {
      issues.add(
        ['notifications', i],
        'a json notification target needs `secret` (every request is signed with it): add secret: "${WEBHOOK_SECRET}" and set that variable',
      );
    }
    if (typeof target.url === 'string' && /^https?:\/\//.test(target.url) && !URL.canParse(target.url)) {
      issues.add(['notifications', i, 'url'], 'url is not a valid URL');
    }
    for (const key of ['timeout', 'backoff', 'max_age']) {
      const value: unknown = target[key];
      if ((typeof value === 'string' || typeof value === 'number') && parseDuration(value) === undefined) {
        issues.add(
          ['notifications', i, key],
          `${key} must be a positive duration like '10s' or '24h', got ${issues.show(['notifications', i, key], value)}`,
        );
      }
    }
  });
}
