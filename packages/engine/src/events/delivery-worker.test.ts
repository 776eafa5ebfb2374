import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotificationConfig } from '../config/notification-config.js';
import { openSqliteStateStore } from '../state/sqlite-state-store.js';
import type { StateStore } from '../state/state-store.js';
import { DeliveryWorker } from './delivery-worker.js';
import { subscriptionsOf } from './notification-target.js';
import { WEBHOOK_HEADERS, verifyWebhookSignature } from './webhook-signature.js';

const target: NotificationConfig = {
  url: 'https://hooks.example/rapidbyte',
  format: 'json',
  events: ['run.started', 'run.failed'],
  headers: { Authorization: 'Bearer t0ken' },
  secret: 'whsec',
  timeoutMs: 1000,
  backoffMs: 1000,
  maxAgeMs: 60_000,
};

interface Sent {
  body: string;
  headers: Record<string, string>;
}

/** A fetch that answers with the next status of `statuses` (then 200), recording each request. */
function receiver(statuses: number[]): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fake = (async (_url: string | URL | Request, init?: RequestInit) => {
    sent.push({ body: String(init?.body), headers: init?.headers as Record<string, string> });
    return new Response('ok', { status: statuses.shift() ?? 200 });
  }) as typeof fetch;
  return { fetch: fake, sent };
}

describe('DeliveryWorker', () => {
  let dir: string;
  let store: StateStore;
  let clock: number;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rb-worker-'));
    clock = Date.UTC(2024, 0, 1);
    store = openSqliteStateStore(join(dir, 'state.db'), { now: () => new Date(clock) });
    await store.syncNotificationTargets('orders', subscriptionsOf([target]));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function failedRun(): Promise<number> {
    const runId = await store.beginRun('orders', ['public.a']);
    await store.startRun(runId);
    await store.finishRun(runId, 'failed', {
      error: { code: 'AUTH_FAILED', kind: 'permanent', message: 'password authentication failed' },
    });
    return runId;
  }

  function worker(fetchImpl: typeof fetch, random = () => 0.5): DeliveryWorker {
    return new DeliveryWorker({
      state: store,
      owner: 'w',
      pipelines: [{ pipeline: 'orders', targets: [target] }],
      now: () => new Date(clock),
      random,
      fetch: fetchImpl,
    });
  }

  it('sends in order, signed, with the event id and the configured headers', async () => {
    await failedRun();
    const { fetch, sent } = receiver([]);
    const attempts = await worker(fetch).deliverDue();
    expect(attempts.map((a) => [a.eventType, a.outcome])).toEqual([
      ['run.started', 'delivered'],
      ['run.failed', 'delivered'],
    ]);
    const last = sent[1] as Sent;
    const body = JSON.parse(last.body) as { id: string; type: string; data: { error: { code: string } } };
    expect(body).toMatchObject({ type: 'run.failed', data: { error: { code: 'AUTH_FAILED' } } });
    expect(last.headers[WEBHOOK_HEADERS.eventId]).toBe(body.id);
    expect(last.headers.Authorization).toBe('Bearer t0ken');
    expect(
      verifyWebhookSignature({
        secret: 'whsec',
        body: last.body,
        signature: last.headers[WEBHOOK_HEADERS.signature],
        timestamp: last.headers[WEBHOOK_HEADERS.timestamp],
        nowSeconds: clock / 1000,
      }),
    ).toBe(true);
  });

  it('retries with backoff, keeps the later event behind the failing one, then delivers both', async () => {
    await failedRun();
    const { fetch, sent } = receiver([503, 503]);
    const w = worker(fetch);
    expect((await w.deliverDue()).map((a) => [a.eventType, a.outcome, a.nextAttemptAt])).toEqual([
      ['run.started', 'retry', '2024-01-01T00:00:00.750Z'],
    ]);
    clock += 750;
    expect((await w.deliverDue()).map((a) => [a.eventType, a.outcome, a.nextAttemptAt])).toEqual([
      ['run.started', 'retry', '2024-01-01T00:00:02.250Z'],
    ]);
    clock += 1500;
    expect((await w.deliverDue()).map((a) => [a.eventType, a.outcome])).toEqual([
      ['run.started', 'delivered'],
      ['run.failed', 'delivered'],
    ]);
    expect(sent.map((s) => (JSON.parse(s.body) as { type: string }).type)).toEqual([
      'run.started',
      'run.started',
      'run.started',
      'run.failed',
    ]);
    expect((await store.listDeliveries()).map((d) => [d.status, d.attempts])).toEqual([
      ['delivered', 3],
      ['delivered', 1],
    ]);
  });

  it('marks a delivery dead once it reached its max age', async () => {
    await failedRun();
    const { fetch } = receiver(Array.from({ length: 100 }, () => 500));
    const w = worker(fetch);
    await w.deliverDue();
    clock += 60_000;
    // the next event of the target, as old, follows it
    expect((await w.deliverDue()).map((a) => [a.eventType, a.outcome])).toEqual([
      ['run.started', 'dead'],
      ['run.failed', 'dead'],
    ]);
    expect((await store.listDeliveries())[0]).toMatchObject({
      status: 'dead',
      attempts: 2,
      lastStatus: 500,
      lastError: 'HTTP 500',
    });
  });

  it('never waits past its deadline on a receiver that does not answer', async () => {
    clock = Date.now();
    await failedRun();
    const hanging = ((_url: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)),
      )) as typeof fetch;
    const w = new DeliveryWorker({
      state: store,
      owner: 'w',
      pipelines: [{ pipeline: 'orders', targets: [{ ...target, timeoutMs: 60_000 }] }],
      fetch: hanging,
    });
    const started = Date.now();
    const attempts = await w.deliverDue({ deadline: Date.now() + 300 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(attempts.map((a) => a.outcome)).toEqual(['retry']);
    expect(attempts[0]?.error).toMatch(/^no answer within \d+ ms$/);
  });
});
