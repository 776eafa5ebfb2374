import { randomUUID } from 'node:crypto';
import type pg from 'pg';
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
import { int8, tableIn, withTransaction, type PgQueryable } from './postgres-sql.js';
import { StateError } from './state-error.js';
import { requirePositiveInteger } from './validate.js';

type Int8 = string;
interface EventRow {
  id: Int8;
  uid: string;
  type: EventType;
  at: string;
  pipeline: string;
  run_id: Int8 | null;
  stream: string | null;
  payload: string;
}
interface DeliveryRow {
  id: Int8;
  event_id: Int8;
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

/** The event outbox, notification targets and deliveries in Postgres; the same rules as SqliteEventLog. */
export class PostgresEventLog {
  readonly #pool: pg.Pool;
  readonly #now: () => Date;
  readonly #t: (table: string) => string;

  constructor(pool: pg.Pool, schema: string, now: () => Date) {
    this.#pool = pool;
    this.#now = now;
    this.#t = (table) => tableIn(schema, table);
  }

  /**
   * Inserts the event and one pending delivery per target of its pipeline that wants its type,
   * on `client`: the connection of the transaction of the state change the event reports.
   */
  async insert(client: PgQueryable, event: NewEvent): Promise<number> {
    if (!isEventType(event.type))
      throw new StateError('INVALID_ARGUMENT', `unknown event type "${String(event.type)}"`, {
        details: { type: event.type },
      });
    const at = event.at ?? this.#now().toISOString();
    const inserted = await client.query<{ id: Int8 }>(
      `INSERT INTO ${this.#t('events')} (uid, type, at, pipeline, run_id, stream, payload) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        randomUUID(),
        event.type,
        at,
        event.pipeline,
        event.runId ?? null,
        event.stream ?? null,
        JSON.stringify(event.payload),
      ],
    );
    const id = int8((inserted.rows[0] as { id: Int8 }).id);
    await this.#fanOut(client, id, event.pipeline, event.type, at, false);
    return id;
  }

  async append(event: NewEvent): Promise<EventRecord> {
    const id = await withTransaction(this.#pool, (client) => this.insert(client, event));
    return (await this.getEvent(id)) as EventRecord;
  }

  async getEvent(id: number): Promise<EventRecord | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = (await this.#pool.query<EventRow>(`SELECT * FROM ${this.#t('events')} WHERE id = $1`, [id])).rows[0];
    return row === undefined ? undefined : toEvent(row);
  }

  async listEvents(filter: EventFilter = {}): Promise<EventRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.pipeline !== undefined) {
      params.push(filter.pipeline);
      where.push(`pipeline = $${params.length}`);
    }
    if (filter.runId !== undefined) {
      params.push(filter.runId);
      where.push(`run_id = $${params.length}`);
    }
    if (filter.types !== undefined && filter.types.length > 0) {
      params.push([...filter.types]);
      where.push(`type = ANY ($${params.length}::text[])`);
    }
    params.push(filter.limit === undefined ? null : requirePositiveInteger('limit', filter.limit));
    const rows = (
      await this.#pool.query<EventRow>(
        `SELECT * FROM (SELECT * FROM ${this.#t('events')} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}) e ORDER BY id`,
        params,
      )
    ).rows;
    return rows.map(toEvent);
  }

  async syncTargets(pipeline: string, targets: readonly TargetSubscription[]): Promise<void> {
    const at = this.#now().toISOString();
    await withTransaction(this.#pool, async (client) => {
      await client.query(`DELETE FROM ${this.#t('notification_targets')} WHERE pipeline = $1`, [pipeline]);
      for (const t of targets) {
        await client.query(
          `INSERT INTO ${this.#t('notification_targets')} (pipeline, target, label, events, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (pipeline, target) DO UPDATE SET label = EXCLUDED.label, events = EXCLUDED.events, updated_at = EXCLUDED.updated_at`,
          [pipeline, t.target, t.label, [...t.events], at],
        );
      }
    });
  }

  async listDeliveries(
    filter: { eventId?: number; pipeline?: string; status?: DeliveryStatus } = {},
  ): Promise<DeliveryRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.eventId !== undefined) {
      params.push(filter.eventId);
      where.push(`event_id = $${params.length}`);
    }
    if (filter.pipeline !== undefined) {
      params.push(filter.pipeline);
      where.push(`pipeline = $${params.length}`);
    }
    if (filter.status !== undefined) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    const rows = (
      await this.#pool.query<DeliveryRow>(
        `SELECT * FROM ${this.#t('deliveries')} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`,
        params,
      )
    ).rows;
    return rows.map(toDelivery);
  }

  /** As SqliteEventLog.claim; rows another worker is claiming right now are skipped (SKIP LOCKED). */
  async claim(request: ClaimRequest): Promise<ClaimedDelivery[]> {
    if (request.targets.length === 0) return [];
    const now = this.#now();
    const at = now.toISOString();
    const leaseUntil = new Date(now.getTime() + request.leaseMs).toISOString();
    const d = this.#t('deliveries');
    const rows = (
      await this.#pool.query<DeliveryRow>(
        `WITH heads AS (
         SELECT d.id FROM ${d} d
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $1)
           AND (d.pipeline, d.target) IN (SELECT * FROM unnest($2::text[], $3::text[]))
           AND NOT EXISTS (SELECT 1 FROM ${d} e WHERE e.pipeline = d.pipeline AND e.target = d.target AND e.status = 'pending' AND e.event_id < d.event_id)
         ORDER BY d.event_id, d.id LIMIT $4 FOR UPDATE SKIP LOCKED)
       UPDATE ${d} SET claimed_by = $5, lease_until = $6 FROM heads WHERE ${d}.id = heads.id RETURNING ${d}.*`,
        [
          at,
          request.targets.map((t) => t.pipeline),
          request.targets.map((t) => t.target),
          request.limit,
          request.owner,
          leaseUntil,
        ],
      )
    ).rows;
    rows.sort((a, b) => int8(a.event_id) - int8(b.event_id));
    const claimed: ClaimedDelivery[] = [];
    for (const r of rows)
      claimed.push({ delivery: toDelivery(r), event: (await this.getEvent(int8(r.event_id))) as EventRecord });
    return claimed;
  }

  async complete(deliveryId: number, owner: string, outcome: DeliveryOutcome): Promise<boolean> {
    const at = this.#now().toISOString();
    const status: DeliveryStatus =
      outcome.kind === 'delivered' ? 'delivered' : outcome.kind === 'dead' ? 'dead' : 'pending';
    const result = await this.#pool.query(
      `UPDATE ${this.#t('deliveries')} SET status = $1, attempts = attempts + 1, claimed_by = NULL, lease_until = NULL,
         last_status = $2, last_error = $3, delivered_at = $4, next_attempt_at = COALESCE($5, next_attempt_at)
       WHERE id = $6 AND claimed_by = $7 AND status = 'pending'`,
      [
        status,
        outcome.status ?? null,
        outcome.kind === 'delivered' ? null : outcome.error,
        outcome.kind === 'delivered' ? at : null,
        outcome.kind === 'retry' ? outcome.nextAttemptAt : null,
        deliveryId,
        owner,
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Deletes events written before `before` (ISO) that have no pending delivery, with their deliveries; returns how many. */
  async prune(before: string): Promise<number> {
    const r = await this.#pool.query(
      `DELETE FROM ${this.#t('events')} e WHERE e.at < $1
        AND NOT EXISTS (SELECT 1 FROM ${this.#t('deliveries')} d WHERE d.event_id = e.id AND d.status = 'pending')`,
      [before],
    );
    return r.rowCount ?? 0;
  }

  async redeliver(eventId: number): Promise<number> {
    const event = await this.getEvent(eventId);
    if (event === undefined)
      throw new StateError('EVENT_NOT_FOUND', `event ${eventId} does not exist in the state DB`, {
        details: { eventId },
      });
    const at = this.#now().toISOString();
    return withTransaction(this.#pool, async (client) => {
      await client.query(
        `UPDATE ${this.#t('deliveries')} SET status = 'pending', queued_at = $1, next_attempt_at = $1, claimed_by = NULL, lease_until = NULL WHERE event_id = $2`,
        [at, eventId],
      );
      await this.#fanOut(client, eventId, event.pipeline, event.type, at, true);
      const n = await client.query<{ n: Int8 }>(
        `SELECT COUNT(*) AS n FROM ${this.#t('deliveries')} WHERE event_id = $1`,
        [eventId],
      );
      return int8((n.rows[0] as { n: Int8 }).n);
    });
  }

  async #fanOut(
    client: PgQueryable,
    eventId: number,
    pipeline: string,
    type: EventType,
    at: string,
    ignoreExisting: boolean,
  ): Promise<void> {
    await client.query(
      `INSERT INTO ${this.#t('deliveries')} (event_id, pipeline, target, status, attempts, queued_at, next_attempt_at)
       SELECT $1, pipeline, target, 'pending', 0, $2, $2 FROM ${this.#t('notification_targets')}
       WHERE pipeline = $3 AND $4 = ANY (events)${ignoreExisting ? ' ON CONFLICT (event_id, target) DO NOTHING' : ''}`,
      [eventId, at, pipeline, type],
    );
  }
}

function toEvent(r: EventRow): EventRecord {
  return {
    id: int8(r.id),
    uid: r.uid,
    type: r.type,
    at: r.at,
    pipeline: r.pipeline,
    ...(r.run_id === null ? {} : { runId: int8(r.run_id) }),
    ...(r.stream === null ? {} : { stream: r.stream }),
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  };
}

function toDelivery(r: DeliveryRow): DeliveryRecord {
  return {
    id: int8(r.id),
    eventId: int8(r.event_id),
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
