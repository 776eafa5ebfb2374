/**
 * Every lifecycle event type. `run.*` and `stream.*` are written by the state store in the
 * transaction of the status change they report; `schema.changed` and `rows.dead_lettered` by a
 * run as it records them; the `cdc.*`, `data.*` and `schedule.*` types by the long-running
 * server's alerts and scheduler (each alert fires once when it starts and once when it resolves).
 * A run that ends `partial` (some streams failed) is reported as `run.failed`, its payload's
 * `status` saying `partial`: whoever listens for failures hears about it.
 */
export const EVENT_TYPES = [
  'run.started',
  'run.succeeded',
  'run.failed',
  'run.interrupted',
  'run.cancelled',
  'stream.started',
  'stream.succeeded',
  'stream.failed',
  'stream.retrying',
  'schema.changed',
  'rows.dead_lettered',
  'cdc.slot_lag_exceeded',
  'cdc.slot_lag_resolved',
  'data.stale',
  'data.fresh',
  'runs.failing',
  'runs.recovered',
  'dead_letters.exceeded',
  'dead_letters.resolved',
  'schedule.skipped',
  'notification.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The events a notification target receives when its `events` list is absent. */
export const DEFAULT_NOTIFIED_EVENTS: readonly EventType[] = Object.freeze(['run.failed', 'run.interrupted']);

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}
