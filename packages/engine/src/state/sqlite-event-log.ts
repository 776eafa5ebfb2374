import { randomUUID } from 'node:crypto';
import type Database from 'libsql';
import { isEventType, type EventType } from '../config/event-types.js';
import type {
  ClaimRequest,
  ClaimedDelivery,
  DeliveryOutcome,
  DeliveryRecord,
  DeliveryStatus,
  EventFilter,
  EventRecord,
  NewEvent,
  TargetSubscription,
} from './event-records.js';
import { StateError } from './state-error.js';
import { requirePositiveInteger } from './validate.js';

interface EventRow {
  id: number;
  uid: string;
  type: EventType;
  at: string;
  pipeline: string;
  run_id: number | null;
  stream: string | null;
  payload: string;
}
interface DeliveryRow {
  id: number;
  event_id: number;
  pipeline: string;
  target: string;
  status: DeliveryStatus;
  attempts: number;
  queued_at: string;
  next_attempt_at: string;
  claimed_by: string | null;
  lease_until: string | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: string | null;
}

/** The event outbox, notification targets and deliveries in SQLite. */
export class SqliteEventLog {
  readonly #db: Database.Database;
  readonly #now: () => Date;

  constructor(db: Database.Database, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  /**
   * Inserts the event and one pending delivery per target of its pipeline that wants its type;
   * call inside the transaction of the state change the event reports. Returns the event's id.
   */
  insert(event: NewEvent): number {
    if (!isEventType(event.type))
      throw new StateError('INVALID_ARGUMENT', `unknown event type "${String(event.type)}"`, {
        details: { type: event.type },
      });
    const at = event.at ?? this.#now().toISOString();
    const id = Number(
      this.#db
        .prepare('INSERT INTO events (uid, type, at, pipeline, run_id, stream, payload) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(
          randomUUID(),
          event.type,
          at,
          event.pipeline,
          event.runId ?? null,
          event.stream ?? null,
          JSON.stringify(event.payload),
        ).lastInsertRowid,
    );
    this.#fanOut(id, event.pipeline, event.type, at, false);
    return id;
  }

  /** An event that reports no state change of its own (a schema change, an alert): its own transaction. */
  append(event: NewEvent): EventRecord {
    const id = this.#db.transaction(() => this.insert(event)).immediate();
    return this.getEvent(id) as EventRecord;
  }

  getEvent(id: number): EventRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM events WHERE id = ?').get(id) as EventRow | undefined;
    return row === undefined ? undefined : toEvent(row);
  }

  listEvents(filter: EventFilter = {}): EventRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.pipeline !== undefined) {
      where.push('pipeline = ?');
      params.push(filter.pipeline);
    }
    if (filter.runId !== undefined) {
      where.push('run_id = ?');
      params.push(filter.runId);
    }
    if (filter.types !== undefined && filter.types.length > 0) {
      where.push('type IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.types));
    }
    const limit = filter.limit === undefined ? -1 : requirePositiveInteger('limit', filter.limit);
    const rows = this.#db
      .prepare(
        `SELECT * FROM (SELECT * FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?) ORDER BY id`,
      )
      .all(...params, limit) as EventRow[];
    return rows.map(toEvent);
  }

  /** Replaces the pipeline's stored targets: events written from now on are queued for these. */
  syncTargets(pipeline: string, targets: readonly TargetSubscription[]): void {
    const at = this.#now().toISOString();
    this.#db
      .transaction(() => {
        this.#db.prepare('DELETE FROM notification_targets WHERE pipeline = ?').run(pipeline);
        const insert = this.#db.prepare(
          'INSERT OR REPLACE INTO notification_targets (pipeline, target, label, events, updated_at) VALUES (?, ?, ?, ?, ?)',
        );
        for (const t of targets) insert.run(pipeline, t.target, t.label, JSON.stringify(t.events), at);
      })
      .immediate();
  }

  listDeliveries(filter: { eventId?: number; pipeline?: string; status?: DeliveryStatus } = {}): DeliveryRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.eventId !== undefined) {
      where.push('event_id = ?');
      params.push(filter.eventId);
    }
    if (filter.pipeline !== undefined) {
      where.push('pipeline = ?');
      params.push(filter.pipeline);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    const rows = this.#db
      .prepare(`SELECT * FROM deliveries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`)
      .all(...params) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  /**
   * Claims due pending deliveries of `request.targets`: each the oldest pending one of its
   * pipeline and target (so a later event never overtakes an earlier one), not under another
   * owner's live lease. A lease that expired (its owner died or hung) is taken over.
   */
  claim(request: ClaimRequest): ClaimedDelivery[] {
    if (request.targets.length === 0) return [];
    const now = this.#now();
    const at = now.toISOString();
    const leaseUntil = new Date(now.getTime() + request.leaseMs).toISOString();
    return this.#db
      .transaction(() => {
        const rows = this.#db
          .prepare(
            `SELECT d.* FROM deliveries d
          WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?)
            AND EXISTS (SELECT 1 FROM json_each(?) j WHERE json_extract(j.value, '$[0]') = d.pipeline AND json_extract(j.value, '$[1]') = d.target)
            AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.pipeline = d.pipeline AND e.target = d.target AND e.status = 'pending' AND e.event_id < d.event_id)
          ORDER BY d.event_id, d.id LIMIT ?`,
          )
          .all(
            at,
            at,
            JSON.stringify(request.targets.map((t) => [t.pipeline, t.target])),
            request.limit,
          ) as DeliveryRow[];
        const update = this.#db.prepare('UPDATE deliveries SET claimed_by = ?, lease_until = ? WHERE id = ?');
        return rows.map((r) => {
          update.run(request.owner, leaseUntil, r.id);
          return {
            delivery: toDelivery({ ...r, claimed_by: request.owner, lease_until: leaseUntil }),
            event: this.getEvent(r.event_id) as EventRecord,
          };
        });
      })
      .immediate();
  }

  /** Records how a claimed delivery's attempt ended; false when `owner` no longer holds its claim. */
  complete(deliveryId: number, owner: string, outcome: DeliveryOutcome): boolean {
    const at = this.#now().toISOString();
    const status: DeliveryStatus =
      outcome.kind === 'delivered' ? 'delivered' : outcome.kind === 'dead' ? 'dead' : 'pending';
    const result = this.#db
      .prepare(
        `UPDATE deliveries SET status = ?, attempts = attempts + 1, claimed_by = NULL, lease_until = NULL,
          last_status = ?, last_error = ?, delivered_at = ?, next_attempt_at = COALESCE(?, next_attempt_at)
        WHERE id = ? AND claimed_by = ? AND status = 'pending'`,
      )
      .run(
        status,
        outcome.status ?? null,
        outcome.kind === 'delivered' ? null : outcome.error,
        outcome.kind === 'delivered' ? at : null,
        outcome.kind === 'retry' ? outcome.nextAttemptAt : null,
        deliveryId,
        owner,
      );
    return result.changes > 0;
  }

  /**
   * Queues the event again for every target of its pipeline that wants it (also targets added
   * since it was written): its deliveries become pending, due now, their age restarted. Returns how many.
   */
  redeliver(eventId: number): number {
    const event = this.getEvent(eventId);
    if (event === undefined)
      throw new StateError('EVENT_NOT_FOUND', `event ${eventId} does not exist in the state DB`, {
        details: { eventId },
      });
    const at = this.#now().toISOString();
    return this.#db
      .transaction(() => {
        this.#db
          .prepare(
            `UPDATE deliveries SET status = 'pending', queued_at = ?, next_attempt_at = ?, claimed_by = NULL, lease_until = NULL WHERE event_id = ?`,
          )
          .run(at, at, eventId);
        this.#fanOut(eventId, event.pipeline, event.type, at, true);
        return (
          this.#db.prepare('SELECT COUNT(*) AS n FROM deliveries WHERE event_id = ?').get(eventId) as { n: number }
        ).n;
      })
      .immediate();
  }

  /** Deletes events written before `before` (ISO) that have no pending delivery, with their deliveries; returns how many. */
  prune(before: string): number {
    return this.#db
      .prepare(
        `DELETE FROM events WHERE at < ? AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id AND d.status = 'pending')`,
      )
      .run(before).changes;
  }

  #fanOut(eventId: number, pipeline: string, type: EventType, at: string, ignoreExisting: boolean): void {
    this.#db
      .prepare(
        `INSERT ${ignoreExisting ? 'OR IGNORE ' : ''}INTO deliveries (event_id, pipeline, target, status, attempts, queued_at, next_attempt_at)
        SELECT ?, pipeline, target, 'pending', 0, ?, ? FROM notification_targets
        WHERE pipeline = ? AND EXISTS (SELECT 1 FROM json_each(events) WHERE value = ?)`,
      )
      .run(eventId, at, at, pipeline, type);
  }
}

function toEvent(r: EventRow): EventRecord {
  return {
    id: r.id,
    uid: r.uid,
    type: r.type,
    at: r.at,
    pipeline: r.pipeline,
    ...(r.run_id === null ? {} : { runId: r.run_id }),
    ...(r.stream === null ? {} : { stream: r.stream }),
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  };
}

function toDelivery(r: DeliveryRow): DeliveryRecord {
  return {
    id: r.id,
    eventId: r.event_id,
    pipeline: r.pipeline,
    target: r.target,
    status: r.status,
    attempts: r.attempts,
    queuedAt: r.queued_at,
    nextAttemptAt: r.next_attempt_at,
    ...(r.claimed_by === null ? {} : { claimedBy: r.claimed_by }),
    ...(r.lease_until === null ? {} : { leaseUntil: r.lease_until }),
    ...(r.last_status === null ? {} : { lastStatus: r.last_status }),
    ...(r.last_error === null ? {} : { lastError: r.last_error }),
    ...(r.delivered_at === null ? {} : { deliveredAt: r.delivered_at }),
  };
}
