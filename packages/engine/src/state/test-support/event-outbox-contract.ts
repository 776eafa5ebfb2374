// The event outbox every StateStore backend must share, run against each: SQLite in the unit
// project (sqlite-event-log.test.ts), Postgres in the e2e project (tests/e2e/event-outbox-postgres.test.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StateStore } from '../state-store.js';
import type { OpenContractStores, ContractStores } from './state-store-contract.js';
import { stateErrorOf } from './state-store-contract.js';

const HOOK = {
  target: 'hook',
  label: 'https://hooks.example (json, hook)',
  events: ['run.failed', 'run.succeeded', 'stream.failed'] as const,
};
const OPS = { target: 'ops', label: 'https://ops.example (json, ops)', events: ['run.failed'] as const };
const BOTH = [
  { pipeline: 'orders', target: 'hook' },
  { pipeline: 'orders', target: 'ops' },
];

/** Registers the outbox contract suite for one backend. */
export function describeEventOutboxContract(name: string, open: OpenContractStores): void {
  describe(`event outbox contract: ${name}`, () => {
    let db: ContractStores;
    let store: StateStore;
    let clock = Date.UTC(2024, 0, 1);
    beforeEach(async () => {
      clock = Date.UTC(2024, 0, 1);
      db = await open({ now: () => new Date(clock) });
      store = db.store;
    });
    afterEach(async () => {
      await db.cleanup();
    });

    async function failedRun(): Promise<number> {
      const runId = await store.beginRun('orders', ['public.a', 'public.b']);
      await store.startRun(runId);
      await store.transition(runId, 'public.a', 'running');
      await store.recordStreamCounts(
        runId,
        'public.a',
        { rowsRead: 3, rowsWritten: 2, bytesRead: 30, bytesWritten: 20 },
        { code: 'AUTH_FAILED', kind: 'permanent', message: 'password authentication failed for user "app"' },
      );
      await store.transition(runId, 'public.a', 'failed', 'AUTH_FAILED: password authentication failed');
      await store.finishRun(runId, 'failed', {
        error: { code: 'AUTH_FAILED', kind: 'permanent', message: 'password authentication failed for user "app"' },
      });
      return runId;
    }

    it('writes run and stream events with their state change, and a delivery per subscribed target', async () => {
      await store.syncNotificationTargets('orders', [HOOK, OPS]);
      const runId = await failedRun();
      const events = await store.listEvents({ pipeline: 'orders' });
      expect(events.map((e) => `${e.type}${e.stream ? ` ${e.stream}` : ''}`)).toEqual([
        'run.started',
        'stream.started public.a',
        'stream.failed public.a',
        'run.failed',
      ]);
      const failed = events[3];
      expect(failed).toMatchObject({
        runId,
        pipeline: 'orders',
        payload: { status: 'failed', error: { code: 'AUTH_FAILED' } },
      });
      expect(failed?.uid).toMatch(/^[0-9a-f-]{36}$/);
      // the run's per-stream summary: the failed stream with its error and counts, the other closed with the run
      expect(failed?.payload.streams).toEqual([
        expect.objectContaining({
          stream: 'public.a',
          status: 'failed',
          attempts: 1,
          rowsWritten: 2,
          error: expect.objectContaining({ code: 'AUTH_FAILED' }),
        }),
        expect.objectContaining({ stream: 'public.b', status: 'failed', attempts: 0 }),
      ]);
      const deliveries = await store.listDeliveries({ pipeline: 'orders' });
      expect(deliveries.map((d) => [events.findIndex((e) => e.id === d.eventId), d.target, d.status]).sort()).toEqual([
        [2, 'hook', 'pending'],
        [3, 'hook', 'pending'],
        [3, 'ops', 'pending'],
      ]);
      expect(await store.listEvents({ types: ['run.failed'] })).toHaveLength(1);
    });

    it('an illegal move writes no event (the event commits or rolls back with its change)', async () => {
      await store.syncNotificationTargets('orders', [HOOK]);
      const runId = await failedRun();
      const before = (await store.listEvents()).length;
      await stateErrorOf(store.finishRun(runId, 'succeeded'));
      await stateErrorOf(store.transition(runId, 'public.a', 'running'));
      expect(await store.listEvents()).toHaveLength(before);
      expect((await store.listDeliveries()).length).toBe(2);
    });

    it('closing an interrupted run writes run.interrupted', async () => {
      const runId = await store.beginRun('orders', ['public.a']);
      await store.startRun(runId);
      expect(await store.closeInterruptedRuns('orders')).toEqual([runId]);
      const last = (await store.listEvents({ pipeline: 'orders' })).at(-1);
      expect(last).toMatchObject({
        type: 'run.interrupted',
        runId,
        payload: { status: 'interrupted', streams: [expect.objectContaining({ status: 'interrupted' })] },
      });
    });

    it('dead letters write rows.dead_lettered with the rows stored', async () => {
      const runId = await store.beginRun('orders', ['public.a']);
      const letter = { runId, stream: 'public.a', record: '{"id":"1"}', error: 'too long', category: 'data' };
      await store.addDeadLetters([letter, { ...letter, record: '{"id":"2"}' }]);
      expect((await store.listEvents({ types: ['rows.dead_lettered'] })).map((e) => e.payload)).toEqual([{ rows: 2 }]);
    });

    it('claims the oldest pending delivery per target only, and never one under a live lease', async () => {
      await store.syncNotificationTargets('orders', [HOOK, OPS]);
      await failedRun();
      const first = await store.claimDeliveries({ owner: 'w1', leaseMs: 60_000, limit: 10, targets: BOTH });
      // hook has stream.failed then run.failed: only the first; ops has run.failed only
      expect(first.map((c) => [c.delivery.target, c.event.type]).sort()).toEqual([
        ['hook', 'stream.failed'],
        ['ops', 'run.failed'],
      ]);
      expect(await store.claimDeliveries({ owner: 'w2', leaseMs: 60_000, limit: 10, targets: BOTH })).toEqual([]);
      const hook = first.find((c) => c.delivery.target === 'hook');
      expect(await store.completeDelivery(hook?.delivery.id as number, 'w1', { kind: 'delivered', status: 200 })).toBe(
        true,
      );
      // the next event of the target is claimable once the earlier one is delivered
      const next = await store.claimDeliveries({ owner: 'w2', leaseMs: 60_000, limit: 10, targets: BOTH });
      expect(next.map((c) => [c.delivery.target, c.event.type])).toEqual([['hook', 'run.failed']]);
    });

    it('a retry waits for its next attempt and keeps later events of its target behind it', async () => {
      await store.syncNotificationTargets('orders', [HOOK]);
      await failedRun();
      const [claimed] = await store.claimDeliveries({ owner: 'w1', leaseMs: 60_000, limit: 10, targets: BOTH });
      const nextAttemptAt = new Date(clock + 5000).toISOString();
      expect(
        await store.completeDelivery(claimed?.delivery.id as number, 'w1', {
          kind: 'retry',
          status: 503,
          error: 'HTTP 503',
          nextAttemptAt,
        }),
      ).toBe(true);
      expect(await store.claimDeliveries({ owner: 'w1', leaseMs: 60_000, limit: 10, targets: BOTH })).toEqual([]);
      clock += 5000;
      const again = await store.claimDeliveries({ owner: 'w1', leaseMs: 60_000, limit: 10, targets: BOTH });
      expect(
        again.map((c) => [c.event.type, c.delivery.attempts, c.delivery.lastStatus, c.delivery.lastError]),
      ).toEqual([['stream.failed', 1, 503, 'HTTP 503']]);
    });

    it('a claim whose owner died is reclaimed when its lease expires; the dead owner cannot complete it', async () => {
      await store.syncNotificationTargets('orders', [OPS]);
      await failedRun();
      const [claimed] = await store.claimDeliveries({ owner: 'dead', leaseMs: 15_000, limit: 10, targets: BOTH });
      expect(claimed?.delivery).toMatchObject({
        claimedBy: 'dead',
        leaseUntil: new Date(clock + 15_000).toISOString(),
      });
      clock += 14_999;
      expect(await store.claimDeliveries({ owner: 'alive', leaseMs: 15_000, limit: 10, targets: BOTH })).toEqual([]);
      clock += 1;
      const reclaimed = await store.claimDeliveries({ owner: 'alive', leaseMs: 15_000, limit: 10, targets: BOTH });
      expect(reclaimed.map((c) => c.delivery.id)).toEqual([claimed?.delivery.id]);
      expect(
        await store.completeDelivery(claimed?.delivery.id as number, 'dead', { kind: 'delivered', status: 200 }),
      ).toBe(false);
      expect(
        await store.completeDelivery(claimed?.delivery.id as number, 'alive', { kind: 'delivered', status: 200 }),
      ).toBe(true);
      expect((await store.listDeliveries())[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200 });
    });

    it('only claims deliveries of the targets the worker knows; dead is final until redelivered', async () => {
      await store.syncNotificationTargets('orders', [OPS]);
      const runId = await failedRun();
      expect(
        await store.claimDeliveries({
          owner: 'w',
          leaseMs: 1000,
          limit: 10,
          targets: [{ pipeline: 'orders', target: 'hook' }],
        }),
      ).toEqual([]);
      const [claimed] = await store.claimDeliveries({ owner: 'w', leaseMs: 1000, limit: 10, targets: BOTH });
      await store.completeDelivery(claimed?.delivery.id as number, 'w', {
        kind: 'dead',
        error: 'request failed: ECONNREFUSED',
      });
      expect(await store.claimDeliveries({ owner: 'w', leaseMs: 1000, limit: 10, targets: BOTH })).toEqual([]);
      // redelivery re-queues it, and queues the event for a target added since
      await store.syncNotificationTargets('orders', [OPS, HOOK]);
      const event = (await store.listEvents({ runId, types: ['run.failed'] }))[0];
      expect(await store.redeliverEvent(event?.id as number)).toBe(2);
      expect(
        (await store.listDeliveries({ eventId: event?.id })).map((d) => [d.target, d.status, d.attempts]).sort(),
      ).toEqual([
        ['hook', 'pending', 0],
        ['ops', 'pending', 1],
      ]);
      expect((await stateErrorOf(store.redeliverEvent(999_999))).code).toBe('EVENT_NOT_FOUND');
    });

    it('appends an event that reports no state change, with its deliveries', async () => {
      await store.syncNotificationTargets('orders', [{ ...HOOK, events: ['schema.changed'] }]);
      const appended = await store.appendEvent({
        type: 'schema.changed',
        pipeline: 'orders',
        stream: 'public.a',
        payload: { changes: ['added column note'] },
      });
      expect(appended).toMatchObject({
        type: 'schema.changed',
        stream: 'public.a',
        payload: { changes: ['added column note'] },
      });
      expect((await store.listDeliveries()).map((d) => d.eventId)).toEqual([appended.id]);
      expect(await store.getEvent(appended.id)).toEqual(appended);
    });

    it('a skipped schedule tick writes schedule.skipped with its record (with its delivery); a fired or duplicate tick writes none', async () => {
      await store.syncNotificationTargets('orders', [{ ...HOOK, events: ['schedule.skipped'] }]);
      await store.recordTick({ pipeline: 'orders', tickAt: '2024-01-01T00:00:00.000Z', outcome: 'fired', runId: 1 });
      await store.recordTick({
        pipeline: 'orders',
        tickAt: '2024-01-01T00:00:02.000Z',
        outcome: 'skipped-overlap',
        reason: 'run 1 is running (overlap: skip)',
      });
      await store.recordTick({ pipeline: 'orders', tickAt: '2024-01-01T00:00:04.000Z', outcome: 'skipped-duplicate' });
      const events = await store.listEvents({ pipeline: 'orders' });
      expect(events.map((e) => [e.type, e.payload])).toEqual([
        [
          'schedule.skipped',
          {
            tickAt: '2024-01-01T00:00:02.000Z',
            outcome: 'skipped-overlap',
            reason: 'run 1 is running (overlap: skip)',
          },
        ],
      ]);
      expect((await store.listDeliveries()).map((d) => d.eventId)).toEqual([events[0]?.id]);
      expect((await store.listTicks({ pipeline: 'orders' })).map((t) => t.outcome)).toEqual([
        'skipped-duplicate',
        'skipped-overlap',
        'fired',
      ]);
    });

    it('moves an alert with its event in one transaction, compare-and-set: a second mover from the same state writes nothing', async () => {
      await store.syncNotificationTargets('orders', [{ ...HOOK, events: ['cdc.slot_lag_exceeded'] }]);
      expect(await store.listAlertStates('orders')).toEqual([]);
      const move = {
        pipeline: 'orders',
        alert: 'slot_lag_bytes',
        from: 'ok' as const,
        to: 'firing' as const,
        value: 5_000_000,
        event: {
          type: 'cdc.slot_lag_exceeded' as const,
          pipeline: 'orders',
          payload: { alert: 'slot_lag_bytes', state: 'firing', value: 5_000_000 },
        },
      };
      const fired = await store.moveAlertState(move);
      expect(fired).toMatchObject({ type: 'cdc.slot_lag_exceeded', payload: { state: 'firing' } });
      // another serve process saw `ok` too and tries the same move: refused, no second event
      expect(await store.moveAlertState(move)).toBeUndefined();
      expect((await store.listEvents({ pipeline: 'orders' })).map((e) => e.type)).toEqual(['cdc.slot_lag_exceeded']);
      expect((await store.listDeliveries()).map((d) => d.eventId)).toEqual([fired?.id]);
      expect(await store.listAlertStates('orders')).toEqual([
        {
          pipeline: 'orders',
          alert: 'slot_lag_bytes',
          status: 'firing',
          since: '2024-01-01T00:00:00.000Z',
          value: 5_000_000,
          eventId: fired?.id,
        },
      ]);
      const resolved = await store.moveAlertState({
        ...move,
        from: 'firing',
        to: 'ok',
        value: 10,
        event: { type: 'cdc.slot_lag_resolved', pipeline: 'orders', payload: { state: 'resolved' } },
      });
      expect(resolved?.type).toBe('cdc.slot_lag_resolved');
      expect((await store.listAlertStates('orders'))[0]).toMatchObject({
        status: 'ok',
        value: 10,
        eventId: resolved?.id,
      });
      // an unknown event type rolls the move back
      await expect(
        store.moveAlertState({ ...move, event: { ...move.event, type: 'nope' as 'data.stale' } }),
      ).rejects.toThrow(/unknown event type/);
      expect((await store.listAlertStates('orders'))[0]?.status).toBe('ok');
    });

    it('prunes old events whose deliveries all ended, keeping pending ones and newer ones', async () => {
      await store.syncNotificationTargets('orders', [{ ...HOOK, events: ['schema.changed'] }]);
      const append = (note: string) =>
        store.appendEvent({ type: 'schema.changed', pipeline: 'orders', payload: { note } });
      const delivered = await append('delivered');
      const pending = await append('pending');
      clock += 3_600_000;
      const newer = await append('newer');
      const [claimed] = await store.claimDeliveries({
        owner: 'w',
        leaseMs: 60_000,
        limit: 1,
        targets: [BOTH[0] as { pipeline: string; target: string }],
      });
      expect(claimed?.event.id).toBe(delivered.id);
      expect(
        await store.completeDelivery(claimed?.delivery.id as number, 'w', { kind: 'delivered', status: 200 }),
      ).toBe(true);
      expect(await store.pruneEvents(new Date(clock - 60_000).toISOString())).toBe(1);
      expect((await store.listEvents({ pipeline: 'orders' })).map((e) => e.id)).toEqual([pending.id, newer.id]);
      expect((await store.listDeliveries()).map((d) => d.eventId)).toEqual([pending.id, newer.id]);
      expect(await store.pruneEvents(new Date(clock - 60_000).toISOString())).toBe(0);
    });
  });
}
