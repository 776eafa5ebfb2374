import { createHash } from 'node:crypto';
import type { NotificationConfig } from '../config/notification-config.js';
import type { TargetSubscription } from '../state/event-records.js';

/**
 * The stable key of a target in the state DB: a hash of its format and URL, so the URL (a Slack
 * webhook's path is a credential) is never stored, and editing headers or the secret keeps the
 * target's pending deliveries.
 */
export function targetKey(target: Pick<NotificationConfig, 'url' | 'format'>): string {
  return createHash('sha256').update(`${target.format} ${target.url}`).digest('hex').slice(0, 16);
}

/** What may be shown of a target: its scheme, host and port, its format and key. */
export function targetLabel(target: Pick<NotificationConfig, 'url' | 'format'>): string {
  return `${new URL(target.url).origin} (${target.format}, ${targetKey(target)})`;
}

/** The subscriptions the state DB keeps for a pipeline's targets. */
export function subscriptionsOf(targets: readonly NotificationConfig[]): TargetSubscription[] {
  const byKey = new Map<string, TargetSubscription>();
  for (const t of targets) byKey.set(targetKey(t), { target: targetKey(t), label: targetLabel(t), events: t.events });
  return [...byKey.values()];
}
