import type { EventType } from '../config/event-types.js';

/**
 * One lifecycle event, as stored in the state DB's outbox. `id` orders events (and names one on
 * the command line); `uid` is globally unique and sent with every delivery so a receiver can
 * drop a duplicate. The payload never holds a secret: errors are redacted before they are recorded.
 */
export interface EventRecord {
  id: number;
  uid: string;
  type: EventType;
  /** ISO-8601 UTC. */
  at: string;
  pipeline: string;
  runId?: number;
  stream?: string;
  payload: Record<string, unknown>;
}

/** An event to append; `at` defaults to now. */
export interface NewEvent {
  type: EventType;
  pipeline: string;
  runId?: number;
  stream?: string;
  payload: Record<string, unknown>;
  at?: string;
}

/**
 * Which events a notification target of a pipeline receives, stored so that whoever writes an
 * event (also a process that does not load the pipeline's file) queues its deliveries in the same
 * transaction. `target` is a stable key derived from the target's URL and format; `label` is
 * what may be shown of it. Neither holds a secret.
 */
export interface TargetSubscription {
  target: string;
  label: string;
  events: readonly EventType[];
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event to one target. A pending delivery with a lease in the future is being sent by `claimedBy`. */
export interface DeliveryRecord {
  id: number;
  eventId: number;
  pipeline: string;
  target: string;
  status: DeliveryStatus;
  attempts: number;
  /** When it was queued (or re-queued by a redelivery); its age counts from here. */
  queuedAt: string;
  nextAttemptAt: string;
  claimedBy?: string;
  leaseUntil?: string;
  /** HTTP status of the last attempt, absent when none answered. */
  lastStatus?: number;
  lastError?: string;
  deliveredAt?: string;
}

/** A delivery claimed for sending, with its event. */
export interface ClaimedDelivery {
  delivery: DeliveryRecord;
  event: EventRecord;
}

/** Which pending deliveries a worker may claim: those of the targets it can send to. */
export interface ClaimRequest {
  owner: string;
  leaseMs: number;
  limit: number;
  targets: readonly { pipeline: string; target: string }[];
}

/** How an attempt ended; `retry` and `dead` count an attempt that failed. */
export type DeliveryOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status?: number; error: string; nextAttemptAt: string }
  | { kind: 'dead'; status?: number; error: string };

export interface EventFilter {
  pipeline?: string;
  types?: readonly EventType[];
  runId?: number;
  /** Newest N (still listed oldest first). */
  limit?: number;
}
