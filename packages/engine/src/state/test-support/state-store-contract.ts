// The behaviour every StateStore backend must share, run against each of them: SQLite in the
// unit project (sqlite-state-store.test.ts), Postgres in the e2e project
// (tests/e2e/state-store-postgres.test.ts). Backend-specific checks stay in those files.
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../state-error.js';
import type { DeadLetter } from '../state-records.js';
import type { StateStore } from '../state-store.js';
import { CDC_LAG_RETENTION_MS } from '../cdc-lag-sample.js';

/** A store on a fresh database, how to open more stores on that same database, and how to drop it. */
export interface ContractStores {
  readonly store: StateStore;
  /** Opens another store on the same database (the first may still be open). */
  reopen(): Promise<StateStore>;
  /** Closes every store opened by `open` and `reopen` (closing twice is allowed), then drops the database. */
  cleanup(): Promise<void>;
}

/** Options the contract passes to `open`; `now` is the clock of the first store only. */
export interface ContractOpenOptions {
  readonly now?: () => Date;
}

export type OpenContractStores = (options?: ContractOpenOptions) => Promise<ContractStores>;

/** The StateError `promise` rejects with (fails the test if it resolves or rejects otherwise). */
export async function stateErrorOf(promise: Promise<unknown>): Promise<StateError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StateError);
    return error as StateError;
  }
  throw new Error('expected a StateError');
}

function letters(runId: number, n: number, stream = 'orders', from = 0): DeadLetter[] {
  return Array.from({ length: n }, (_, j) => {
    const i = from + j;
    return {
      runId,
      stream,
      record: JSON.stringify({ id: String(i), amount: '12.30' }),
      error: `value too long (${i})`,
      category: 'data',
    };
  });
}

const host = hostname();
const EXACT_CURSOR_VALUES = [
  '9223372036854775807',
  '-9223372036854775808',
  '2024-01-01 00:00:00.123456+00',
  '00042',
  '1e400',
  '0.10',
  '',
];

/** Registers the StateStore contract suite for one backend. */
export function describeStateStoreContract(name: string, open: OpenContractStores): void {
  describe(`StateStore contract: ${name}`, () => {
    let db: ContractStores;
    let store: StateStore;
    const setUp = async (options?: ContractOpenOptions): Promise<void> => {
      await db?.cleanup();
      db = await open(options);
      store = db.store;
    };
    beforeEach(async () => {
      let tick = 0;
      // Each timestamp is one second after the previous one, so order is visible in the times too.
      db = await open({ now: () => new Date(Date.UTC(2024, 0, 1) + 1000 * tick++) });
      store = db.store;
    });
    afterEach(async () => {
      await db.cleanup();
    });

    describe('run lifecycle', () => {
      it('records a run, its streams and every transition in order', async () => {
        const runId = await store.beginRun('orders-pipeline', ['orders', 'customers']);
        const begun = await store.getRun(runId);
        expect(begun).toMatchObject({
          runId,
          pipeline: 'orders-pipeline',
          status: 'pending',
          startedAt: '2024-01-01T00:00:00.000Z',
        });
        expect(begun?.finishedAt).toBeUndefined();
        expect(begun?.streams.map((s) => [s.stream, s.status, s.attempts])).toEqual([
          ['orders', 'pending', 0],
          ['customers', 'pending', 0],
        ]);

        await store.transition(runId, 'orders', 'running');
        await store.transition(runId, 'orders', 'succeeded', 'done');
        await store.transition(runId, 'customers', 'cancelled', 'user interrupt');
        await store.recordStreamCounts(runId, 'orders', {
          rowsRead: 10,
          rowsWritten: 9,
          bytesRead: 1000,
          bytesWritten: 900,
          rowsDeadLettered: 1,
        });
        await store.startRun(runId);
        await store.finishRun(runId, 'partial', { reason: '1 of 2 streams did not succeed' });
        expect((await store.listRunTransitions(runId)).map((t) => [t.from, t.to, t.reason])).toEqual([
          [null, 'pending', undefined],
          ['pending', 'running', undefined],
          ['running', 'partial', '1 of 2 streams did not succeed'],
        ]);

        expect((await store.listTransitions(runId)).map((t) => `${t.stream}:${t.from ?? '-'}>${t.to}`)).toEqual([
          'orders:->pending',
          'customers:->pending',
          'orders:pending>running',
          'orders:running>succeeded',
          'customers:pending>cancelled',
        ]);
        const ordersTransitions = await store.listTransitions(runId, 'orders');
        expect(ordersTransitions.map((t) => t.to)).toEqual(['pending', 'running', 'succeeded']);
        expect(ordersTransitions[2]).toMatchObject({ reason: 'done', at: '2024-01-01T00:00:02.000Z' });
        expect(ordersTransitions[0]?.reason).toBeUndefined();

        const run = await store.getRun(runId);
        expect(run?.status).toBe('partial');
        expect(run?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        const orders = run?.streams[0];
        expect(orders).toMatchObject({
          status: 'succeeded',
          attempts: 1,
          startedAt: '2024-01-01T00:00:01.000Z',
          finishedAt: '2024-01-01T00:00:02.000Z',
          counts: {
            rowsRead: 10,
            rowsWritten: 9,
            bytesRead: 1000,
            bytesWritten: 900,
            rowsSkipped: 0,
            rowsDeadLettered: 1,
            rowsRolledBack: 0,
          },
        });
        expect(orders?.error).toBeUndefined();
        expect(run?.streams[1]).toMatchObject({
          status: 'cancelled',
          attempts: 0,
          finishedAt: '2024-01-01T00:00:03.000Z',
        });
        expect(run?.streams[1]?.startedAt).toBeUndefined();
      });

      it('refuses illegal transitions and leaves no trace of them', async () => {
        const runId = await store.beginRun('p', ['s']);
        const skip = await stateErrorOf(store.transition(runId, 's', 'succeeded'));
        expect(skip.code).toBe('ILLEGAL_TRANSITION');
        expect(skip.kind).toBe('permanent');
        expect(skip.details).toMatchObject({ runId, stream: 's', from: 'pending', to: 'succeeded' });
        expect(skip.message).toContain('pending to succeeded');

        await store.transition(runId, 's', 'running');
        await store.transition(runId, 's', 'failed');
        for (const to of ['running', 'retrying', 'succeeded', 'pending'] as const) {
          expect((await stateErrorOf(store.transition(runId, 's', to))).code).toBe('ILLEGAL_TRANSITION');
        }
        expect((await store.listTransitions(runId, 's')).map((t) => t.to)).toEqual(['pending', 'running', 'failed']);
        expect((await store.getRun(runId))?.streams[0]?.status).toBe('failed');
      });

      it('counts attempts: running -> retrying -> running is two, startedAt stays the first', async () => {
        const runId = await store.beginRun('p', ['s']);
        await store.transition(runId, 's', 'running');
        await store.recordStreamCounts(
          runId,
          's',
          { rowsRead: 5, rowsWritten: 0, bytesRead: 50, bytesWritten: 0 },
          { code: 'CONNECTION_RESET', kind: 'transient', message: 'socket hang up' },
        );
        await store.transition(runId, 's', 'retrying', 'CONNECTION_RESET');
        expect((await store.getRun(runId))?.streams[0]?.error).toEqual({
          code: 'CONNECTION_RESET',
          kind: 'transient',
          message: 'socket hang up',
        });
        await store.transition(runId, 's', 'running');
        await store.recordStreamCounts(runId, 's', { rowsRead: 7, rowsWritten: 7, bytesRead: 70, bytesWritten: 70 });
        await store.transition(runId, 's', 'succeeded');
        const stream = (await store.getRun(runId))?.streams[0];
        expect(stream?.attempts).toBe(2);
        expect(stream?.startedAt).toBe('2024-01-01T00:00:01.000Z');
        expect(stream?.counts.rowsWritten).toBe(7);
        expect(stream?.error).toBeUndefined();
      });

      it('keeps the rows attempts rolled back apart from the committed rows', async () => {
        const runId = await store.beginRun('p', ['s']);
        await store.recordStreamCounts(runId, 's', {
          rowsRead: 12,
          rowsWritten: 6,
          bytesRead: 120,
          bytesWritten: 60,
          rowsRolledBack: 5,
        });
        expect((await store.getRun(runId))?.streams[0]?.counts).toMatchObject({
          rowsRead: 12,
          rowsWritten: 6,
          rowsRolledBack: 5,
        });
      });

      it('keeps counts beyond 32 bits exactly', async () => {
        const runId = await store.beginRun('p', ['s']);
        const big = Number.MAX_SAFE_INTEGER;
        await store.recordStreamCounts(runId, 's', {
          rowsRead: 2 ** 40,
          rowsWritten: 2 ** 33 + 1,
          bytesRead: big,
          bytesWritten: big - 1,
        });
        expect((await store.getRun(runId))?.streams[0]?.counts).toMatchObject({
          rowsRead: 2 ** 40,
          rowsWritten: 2 ** 33 + 1,
          bytesRead: big,
          bytesWritten: big - 1,
        });
      });

      it('names what is missing or wrong', async () => {
        expect((await stateErrorOf(store.transition(999, 's', 'running'))).code).toBe('RUN_NOT_FOUND');
        const runId = await store.beginRun('p', ['s']);
        const zero = { rowsRead: 0, rowsWritten: 0, bytesRead: 0, bytesWritten: 0 };
        expect((await stateErrorOf(store.transition(runId, 'nope', 'running'))).code).toBe('STREAM_NOT_FOUND');
        expect((await stateErrorOf(store.recordStreamCounts(runId, 'nope', zero))).code).toBe('STREAM_NOT_FOUND');
        expect((await stateErrorOf(store.recordStreamCounts(999, 's', zero))).code).toBe('RUN_NOT_FOUND');
        expect((await stateErrorOf(store.recordStreamCounts(runId, 's', { ...zero, rowsRead: -1 }))).code).toBe(
          'INVALID_ARGUMENT',
        );
        expect((await stateErrorOf(store.recordStreamCounts(runId, 's', { ...zero, rowsRead: 1.5 }))).code).toBe(
          'INVALID_ARGUMENT',
        );
        expect((await stateErrorOf(store.beginRun('p', ['a', 'a']))).code).toBe('DUPLICATE_STREAM');
        expect((await stateErrorOf(store.finishRun(runId, 'running'))).code).toBe('INVALID_ARGUMENT');
        expect((await stateErrorOf(store.finishRun(999, 'failed'))).code).toBe('RUN_NOT_FOUND');
        await store.finishRun(runId, 'failed');
        expect((await stateErrorOf(store.finishRun(runId, 'succeeded'))).code).toBe('RUN_ALREADY_FINISHED');
        expect((await store.getRun(runId))?.status).toBe('failed');
        expect(await store.getRun(999)).toBeUndefined();
      });

      it('moves the run pending → running → failed, recording the error and every transition', async () => {
        const runId = await store.beginRun('p', ['s']);
        expect(await store.listRunTransitions(runId)).toEqual([
          { runId, from: null, to: 'pending', at: '2024-01-01T00:00:00.000Z' },
        ]);
        await store.startRun(runId);
        expect((await store.getRun(runId))?.status).toBe('running');
        expect((await stateErrorOf(store.startRun(runId))).code).toBe('ILLEGAL_TRANSITION');
        const error = {
          code: 'AUTH_FAILED',
          kind: 'permanent' as const,
          message: 'password authentication failed for user "app"',
        };
        await store.finishRun(runId, 'failed', { error });
        const run = await store.getRun(runId);
        expect(run).toMatchObject({ status: 'failed', error, finishedAt: '2024-01-01T00:00:02.000Z' });
        expect((await store.listRuns())[0]?.error).toEqual(error);
        expect(
          (await store.listRunTransitions(runId)).map((t) => `${t.from ?? '-'}>${t.to}:${t.reason ?? ''}`),
        ).toEqual(['->pending:', 'pending>running:', `running>failed:AUTH_FAILED: ${error.message}`]);
        expect((await stateErrorOf(store.finishRun(runId, 'interrupted'))).code).toBe('RUN_ALREADY_FINISHED');
        expect((await stateErrorOf(store.startRun(runId))).code).toBe('RUN_ALREADY_FINISHED');
        expect((await stateErrorOf(store.startRun(999))).code).toBe('RUN_NOT_FOUND');
        expect(await store.listRunTransitions(999)).toEqual([]);
        // a run can fail before it starts (e.g. a replication slot it cannot create)
        const early = await store.beginRun('p', ['s']);
        await store.finishRun(early, 'failed', { reason: 'could not start', error: { ...error, kind: 'transient' } });
        expect((await store.listRunTransitions(early)).at(-1)).toMatchObject({
          from: 'pending',
          to: 'failed',
          reason: 'could not start',
        });
        expect((await stateErrorOf(store.finishRun(await store.beginRun('p', ['s']), 'succeeded'))).code).toBe(
          'ILLEGAL_TRANSITION',
        );
      });

      it('a run with no streams is allowed', async () => {
        const runId = await store.beginRun('empty', []);
        expect((await store.getRun(runId))?.streams).toEqual([]);
      });
    });

    describe('interrupted runs', () => {
      // Real time: every store on the database shares the clock, as processes on one host do.
      beforeEach(async () => {
        await setUp();
      });

      /** A run of `pipeline` under `owner`'s lock: one stream running with committed counts, one pending, one succeeded. */
      async function openRun(
        owner: StateStore,
        pipeline: string,
      ): Promise<{ runId: number; release: () => Promise<void> }> {
        const release = await owner.acquirePipelineLock(pipeline, { pid: process.pid, host });
        const runId = await owner.beginRun(pipeline, ['orders', 'customers', 'items']);
        await owner.startRun(runId);
        await owner.transition(runId, 'orders', 'running');
        await owner.recordStreamCounts(runId, 'orders', {
          rowsRead: 700,
          rowsWritten: 600,
          bytesRead: 7000,
          bytesWritten: 6000,
        });
        await owner.transition(runId, 'items', 'running');
        await owner.transition(runId, 'items', 'succeeded');
        return { runId, release };
      }

      it('leaves a run alone while its process holds the lock', async () => {
        const { runId, release } = await openRun(store, 'p');
        const other = await db.reopen();
        expect(await other.closeInterruptedRuns()).toEqual([]);
        expect(await other.closeInterruptedRuns('p')).toEqual([]);
        expect((await other.getRun(runId))?.status).toBe('running');
        expect((await other.getRun(runId))?.holder).toEqual({ pid: process.pid, host });
        await store.finishRun(runId, 'succeeded');
        await release();
        expect(await other.closeInterruptedRuns()).toEqual([]);
        expect((await other.getRun(runId))?.status).toBe('succeeded');
      });

      it('closes a run whose lock was taken over as interrupted, with its open streams, keeping their committed counts', async () => {
        const { runId, release } = await openRun(store, 'p');
        await release(); // its process lost the lock without closing the run (a kill -9 frees it the same way)
        const next = await db.reopen();
        const releaseNext = await next.acquirePipelineLock('p', { pid: process.pid, host });
        const nextRun = await next.beginRun('p', ['orders']);
        expect(await next.closeInterruptedRuns('p')).toEqual([runId]);
        expect(await next.closeInterruptedRuns('p')).toEqual([]); // once
        const run = await next.getRun(runId);
        expect(run?.status).toBe('interrupted');
        expect(run?.finishedAt).toMatch(/Z$/);
        expect(run?.error).toBeUndefined();
        expect(run?.streams.map((s) => [s.stream, s.status, s.counts.rowsWritten])).toEqual([
          ['orders', 'interrupted', 600],
          ['customers', 'interrupted', 0],
          ['items', 'succeeded', 0],
        ]);
        expect(run?.streams[0]?.finishedAt).toMatch(/Z$/);
        const transitions = await next.listRunTransitions(runId);
        expect(transitions.map((t) => `${t.from ?? '-'}>${t.to}`)).toEqual([
          '->pending',
          'pending>running',
          'running>interrupted',
        ]);
        const reason = transitions.at(-1)?.reason ?? '';
        expect(reason).toBe(
          `its process (pid ${process.pid} on host ${host}) no longer holds the pipeline lock: pid ${process.pid} on host ${host} took it over at ${reason.split(' at ').at(-1)}`,
        );
        expect((await next.listTransitions(runId, 'orders')).map((t) => t.to)).toEqual([
          'pending',
          'running',
          'interrupted',
        ]);
        expect((await next.listTransitions(runId, 'customers')).at(-1)).toMatchObject({
          from: 'pending',
          to: 'interrupted',
          reason,
        });
        expect((await next.listTransitions(runId, 'items')).map((t) => t.to)).toEqual([
          'pending',
          'running',
          'succeeded',
        ]);
        // the new run is its holder's: untouched
        expect((await next.getRun(nextRun))?.status).toBe('pending');
        // the old process, should it come back, cannot finish it a second time
        expect((await stateErrorOf(store.finishRun(runId, 'succeeded'))).code).toBe('RUN_ALREADY_FINISHED');
        await releaseNext();
      });

      it('closes a run whose pipeline lock nobody holds; other pipelines are judged on their own', async () => {
        const orphan = await openRun(store, 'p');
        await orphan.release();
        const live = await openRun(store, 'q');
        const unlocked = await store.beginRun('r', ['s']); // begun without the lock: no holder to wait for
        const other = await db.reopen();
        expect((await other.closeInterruptedRuns()).sort((a, b) => a - b)).toEqual([orphan.runId, unlocked]);
        expect((await other.listRunTransitions(orphan.runId)).at(-1)?.reason).toBe(
          `its process (pid ${process.pid} on host ${host}) went away without closing the run: no process holds the pipeline lock`,
        );
        expect((await other.getRun(unlocked))?.streams[0]?.status).toBe('interrupted');
        expect((await other.getRun(live.runId))?.status).toBe('running');
        await live.release();
      });
    });

    describe('listRuns', () => {
      it('lists newest first, filters by pipeline, limits, and carries per-stream counts', async () => {
        const ids: number[] = [];
        for (let i = 0; i < 5; i++) {
          const runId = await store.beginRun(i % 2 === 0 ? 'even' : 'odd', ['a', 'b']);
          await store.recordStreamCounts(runId, 'a', {
            rowsRead: i,
            rowsWritten: i,
            bytesRead: 10 * i,
            bytesWritten: 10 * i,
          });
          await store.recordStreamCounts(runId, 'b', {
            rowsRead: 100 + i,
            rowsWritten: 100 + i,
            bytesRead: 0,
            bytesWritten: 0,
            rowsSkipped: i,
          });
          ids.push(runId);
        }
        expect((await store.listRuns()).map((r) => r.runId)).toEqual([...ids].reverse());
        expect((await store.listRuns({ limit: 2 })).map((r) => r.runId)).toEqual([ids[4], ids[3]]);
        const even = await store.listRuns({ pipeline: 'even' });
        expect(even.map((r) => r.runId)).toEqual([ids[4], ids[2], ids[0]]);
        expect((await store.listRuns({ pipeline: 'odd', limit: 1 })).map((r) => r.runId)).toEqual([ids[3]]);
        expect(await store.listRuns({ pipeline: 'none' })).toEqual([]);
        expect(even[0]?.streams.map((s) => [s.stream, s.counts.rowsRead, s.counts.rowsSkipped])).toEqual([
          ['a', 4, 0],
          ['b', 104, 4],
        ]);
        expect(even[2]?.streams.map((s) => s.counts.bytesRead)).toEqual([0, 0]);
        expect((await stateErrorOf(store.listRuns({ limit: 0 }))).code).toBe('INVALID_ARGUMENT');
      });

      it('survives closing and reopening the database', async () => {
        const runId = await store.beginRun('p', ['s']);
        await store.transition(runId, 's', 'running');
        await store.close();
        const reopened = await db.reopen();
        expect((await reopened.listRuns())[0]?.streams[0]).toMatchObject({ runId, status: 'running', attempts: 1 });
      });

      it('rejects with STORE_CLOSED after close; close is idempotent', async () => {
        await store.close();
        expect((await stateErrorOf(store.listRuns())).code).toBe('STORE_CLOSED');
        expect((await stateErrorOf(store.putKv('s', 'k', 'v'))).code).toBe('STORE_CLOSED');
        await store.close();
      });
    });

    describe('cursors', () => {
      it.each(EXACT_CURSOR_VALUES)('keeps the text %j exactly, also after reopening', async (value) => {
        await store.putCursor({ pipeline: 'p', stream: 's', cursorField: 'id', cursorValue: value });
        expect((await store.getCursor('p', 's'))?.cursorValue).toBe(value);
        await store.close();
        const cursor = await (await db.reopen()).getCursor('p', 's');
        expect(cursor?.cursorValue).toBe(value);
        expect(typeof cursor?.cursorValue).toBe('string');
      });

      it('puts, replaces, gets and deletes', async () => {
        const runId = await store.beginRun('p', ['a']);
        await store.putCursor({
          pipeline: 'p',
          stream: 'a',
          cursorField: 'updated_at',
          cursorValue: '2024-01-01 00:00:00.123456+00',
          runId,
        });
        await store.putCursor({ pipeline: 'p', stream: 'b', lsn: '0/16B3748' });
        await store.putCursor({ pipeline: 'q', stream: 'a', cursorField: 'id', cursorValue: '1' });
        expect(await store.getCursor('p', 'a')).toMatchObject({
          pipeline: 'p',
          stream: 'a',
          cursorField: 'updated_at',
          runId,
        });
        expect((await store.getCursor('p', 'a'))?.updatedAt).toMatch(/Z$/);
        const b = await store.getCursor('p', 'b');
        expect(b).toMatchObject({ lsn: '0/16B3748' });
        expect(b?.cursorValue).toBeUndefined();
        expect(b?.runId).toBeUndefined();

        await store.putCursor({
          pipeline: 'p',
          stream: 'a',
          cursorField: 'updated_at',
          cursorValue: '2024-01-02 00:00:00+00',
        });
        expect((await store.getCursor('p', 'a'))?.cursorValue).toBe('2024-01-02 00:00:00+00');
        expect((await store.getCursor('p', 'a'))?.runId).toBeUndefined();

        expect(await store.deleteCursors('p', 'a')).toBe(1);
        expect(await store.getCursor('p', 'a')).toBeUndefined();
        expect(await store.deleteCursors('p', 'a')).toBe(0);
        await store.putCursor({ pipeline: 'p', stream: 'a', cursorValue: '5' });
        expect(await store.deleteCursors('p')).toBe(2);
        expect((await store.getCursor('q', 'a'))?.cursorValue).toBe('1');
        expect(await store.getCursor('nope', 'a')).toBeUndefined();
      });

      it('refuses a JS number as a cursor value', async () => {
        const error = await stateErrorOf(
          store.putCursor({ pipeline: 'p', stream: 's', cursorValue: 9007199254740992 as unknown as string }),
        );
        expect(error.code).toBe('INVALID_ARGUMENT');
        expect(await store.getCursor('p', 's')).toBeUndefined();
      });
    });

    describe('connector key/value state', () => {
      it('gets, puts and deletes per scope', async () => {
        expect(await store.getKv('src', 'slot')).toBeUndefined();
        await store.putKv('src', 'slot', 'rb_slot');
        await store.putKv('dst', 'slot', 'other');
        await store.putKv('src', 'slot', 'rb_slot_2');
        expect(await store.getKv('src', 'slot')).toBe('rb_slot_2');
        expect(await store.getKv('dst', 'slot')).toBe('other');
        expect(await store.deleteKv('src', 'slot')).toBe(true);
        expect(await store.deleteKv('src', 'slot')).toBe(false);
        expect(await store.getKv('src', 'slot')).toBeUndefined();
      });

      it('lists the keys of a scope by prefix, sorted, taking % and _ literally', async () => {
        for (const key of ['p1/public.t2', 'p1/public.t1', 'p1/public.t1[shard 1/2]', 'p10/public.t1', 'p_1/x', 'p%/y'])
          await store.putKv('ckpt', key, '{}');
        await store.putKv('other', 'p1/public.t9', '{}');
        expect(await store.listKvKeys('ckpt', 'p1/')).toEqual([
          'p1/public.t1',
          'p1/public.t1[shard 1/2]',
          'p1/public.t2',
        ]);
        expect(await store.listKvKeys('ckpt', 'p_')).toEqual(['p_1/x']);
        expect(await store.listKvKeys('ckpt', 'p%')).toEqual(['p%/y']);
        expect(await store.listKvKeys('ckpt', 'none/')).toEqual([]);
      });

      it('compare-and-set: absent, matching and stale expectations', async () => {
        expect(await store.casKv('s', 'k', 'x', 'v1')).toBe(false); // expected a value, none there
        expect(await store.getKv('s', 'k')).toBeUndefined();
        expect(await store.casKv('s', 'k', undefined, 'v1')).toBe(true); // create if absent
        expect(await store.casKv('s', 'k', undefined, 'v2')).toBe(false); // no longer absent
        expect(await store.casKv('s', 'k', 'v0', 'v2')).toBe(false); // stale
        expect(await store.getKv('s', 'k')).toBe('v1');
        expect(await store.casKv('s', 'k', 'v1', 'v2')).toBe(true);
        expect(await store.getKv('s', 'k')).toBe('v2');
        expect(await store.casKv('s', 'k', '', 'v3')).toBe(false); // '' is a value, not absence
      });

      it('compare-and-set is atomic across two stores on the same database', async () => {
        const other = await db.reopen();
        await store.putKv('s', 'k', '0');
        expect(await other.casKv('s', 'k', '0', 'from-other')).toBe(true);
        expect(await store.casKv('s', 'k', '0', 'from-store')).toBe(false);
        expect(await store.getKv('s', 'k')).toBe('from-other');
      });

      it('concurrent compare-and-set: exactly one of many racing writers wins', async () => {
        const other = await db.reopen();
        await store.putKv('s', 'k', '0');
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).casKv('s', 'k', '0', `w${i}`)),
        );
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        expect(await store.getKv('s', 'k')).toBe(`w${outcomes.indexOf(true)}`);
      });
    });

    describe('dead letters', () => {
      it('inserts a batch and lists by run and by pipeline, in insertion order', async () => {
        await setUp({ now: () => new Date('2024-05-06T07:08:09.010Z') });
        const r1 = await store.beginRun('p', ['orders']);
        const r2 = await store.beginRun('p', ['orders']);
        const r3 = await store.beginRun('q', ['orders']);
        await store.addDeadLetters(letters(r1, 3));
        await store.addDeadLetters([
          ...letters(r2, 2, 'orders', 3),
          { ...(letters(r2, 1, 'other')[0] as DeadLetter), at: '2023-01-01T00:00:00.000Z' },
        ]);
        await store.addDeadLetters(letters(r3, 1));
        await store.addDeadLetters([]);

        const run1 = await store.listDeadLetters({ runId: r1 });
        expect(run1.map((d) => (JSON.parse(d.record) as { id: string }).id)).toEqual(['0', '1', '2']);
        expect(run1[0]).toMatchObject({
          runId: r1,
          stream: 'orders',
          error: 'value too long (0)',
          category: 'data',
          at: '2024-05-06T07:08:09.010Z',
        });
        expect(typeof run1[0]?.id).toBe('number');
        expect((await store.listDeadLetters({ pipeline: 'p' })).map((d) => d.runId)).toEqual([r1, r1, r1, r2, r2, r2]);
        expect((await store.listDeadLetters({ pipeline: 'p', runId: r2 })).at(-1)).toMatchObject({
          stream: 'other',
          at: '2023-01-01T00:00:00.000Z',
        });
        expect(await store.listDeadLetters({ pipeline: 'q', runId: r1 })).toEqual([]);
        expect(await store.listDeadLetters({ pipeline: 'p', limit: 4 })).toHaveLength(4);
        expect(await store.listDeadLetters({})).toHaveLength(7);
      });

      it('is idempotent: a letter with the same pipeline, stream, record and error is stored once', async () => {
        const r1 = await store.beginRun('p', ['orders']);
        const r2 = await store.beginRun('p', ['orders']);
        const r3 = await store.beginRun('q', ['orders']);
        await store.addDeadLetters(letters(r1, 3));
        // a replay in the same run, a rerun of the pipeline (new run id): no copies
        await store.addDeadLetters([...letters(r1, 3), ...letters(r2, 4)]);
        // another pipeline, another stream, another error: kept
        await store.addDeadLetters([
          ...letters(r3, 1),
          ...letters(r2, 1, 'other'),
          { ...(letters(r2, 1)[0] as DeadLetter), error: 'other error' },
        ]);
        expect((await store.listDeadLetters({ pipeline: 'p' })).map((d) => [d.runId, d.stream, d.error])).toEqual([
          [r1, 'orders', 'value too long (0)'],
          [r1, 'orders', 'value too long (1)'],
          [r1, 'orders', 'value too long (2)'],
          [r2, 'orders', 'value too long (3)'],
          [r2, 'other', 'value too long (0)'],
          [r2, 'orders', 'other error'],
        ]);
        expect(await store.listDeadLetters({ pipeline: 'q' })).toHaveLength(1);
      });

      it('stores all of a batch or none of it', async () => {
        const runId = await store.beginRun('p', ['orders']);
        const bad = [...letters(runId, 2), { ...(letters(runId, 1)[0] as DeadLetter), record: '{not json' }];
        const invalid = await stateErrorOf(store.addDeadLetters(bad));
        expect(invalid.code).toBe('INVALID_ARGUMENT');
        expect(invalid.details).toMatchObject({ index: 2 });
        const missingRun = await stateErrorOf(store.addDeadLetters([...letters(runId, 2), ...letters(runId + 100, 1)]));
        expect(missingRun.code).toBe('RUN_NOT_FOUND');
        expect(await store.listDeadLetters({ runId })).toEqual([]);
      });

      it('inserts 10 000 letters in one transaction quickly', async () => {
        const runId = await store.beginRun('p', ['orders']);
        const started = performance.now();
        await store.addDeadLetters(letters(runId, 10_000));
        const ms = performance.now() - started;
        const stored = await store.listDeadLetters({ runId });
        expect(stored).toHaveLength(10_000);
        expect(stored.map((d) => (JSON.parse(d.record) as { id: string }).id).slice(0, 3)).toEqual(['0', '1', '2']);
        expect(stored.at(-1)?.error).toBe('value too long (9999)');
        expect(ms).toBeLessThan(5_000);
      });
    });

    describe('pipeline run lock', () => {
      // Real time: every store on the database shares the clock, as processes on one host do.
      beforeEach(async () => {
        await setUp();
      });

      async function locked(promise: Promise<unknown>): Promise<StateError> {
        const error = await stateErrorOf(promise);
        expect(error.code).toBe('PIPELINE_LOCKED');
        return error;
      }

      it('refuses a second holder, naming the first, until released', async () => {
        const other = await db.reopen();
        const release = await store.acquirePipelineLock('orders', { pid: process.pid, host });
        const error = await locked(other.acquirePipelineLock('orders', { pid: process.pid + 1, host: 'elsewhere' }));
        expect(error.details).toMatchObject({ pipeline: 'orders', pid: process.pid, host });
        expect(error.details.since).toMatch(/Z$/);
        expect(error.message).toContain(`pid ${process.pid} on host ${host}`);
        await locked(store.acquirePipelineLock('orders', { pid: process.pid, host })); // not re-entrant

        const releaseOther = await other.acquirePipelineLock('customers', { pid: process.pid, host }); // other pipelines are independent
        await release();
        await release(); // idempotent
        const releaseB = await other.acquirePipelineLock('orders', { pid: process.pid, host });
        await locked(store.acquirePipelineLock('orders', { pid: process.pid, host }));
        await releaseB();
        await releaseOther();
      });

      it("an old holder's release never frees the lock of the next holder", async () => {
        const other = await db.reopen();
        const first = await store.acquirePipelineLock('orders', { pid: process.pid, host });
        await first();
        const second = await other.acquirePipelineLock('orders', { pid: process.pid, host });
        await first();
        await locked(store.acquirePipelineLock('orders', { pid: process.pid, host }));
        await second();
      });

      it('close releases the locks a store holds', async () => {
        const release = await store.acquirePipelineLock('orders', { pid: process.pid, host });
        await store.close();
        await release(); // harmless after close
        const other = await db.reopen();
        await (
          await other.acquirePipelineLock('orders', { pid: process.pid, host })
        )();
      });
    });

    it('records schedule ticks with outcome, reason and run, and lists them newest first, per pipeline', async () => {
      await store.recordTick({ pipeline: 'a', tickAt: '2026-01-01T00:00:00.000Z', outcome: 'fired', runId: 1 });
      await store.recordTick({
        pipeline: 'a',
        tickAt: '2026-01-01T00:00:02.000Z',
        outcome: 'skipped-overlap',
        reason: 'run 1 is still running (overlap: skip)',
      });
      await store.recordTick({
        pipeline: 'b',
        tickAt: '2026-01-01T00:00:02.000Z',
        outcome: 'skipped-paused',
        reason: 'paused',
      });
      const a = await store.listTicks({ pipeline: 'a' });
      expect(a.map((t) => t.outcome)).toEqual(['skipped-overlap', 'fired']);
      expect(a[0]).toMatchObject({
        pipeline: 'a',
        tickAt: '2026-01-01T00:00:02.000Z',
        outcome: 'skipped-overlap',
        reason: 'run 1 is still running (overlap: skip)',
      });
      expect(a[1]).toMatchObject({ runId: 1 });
      expect(a[1]).not.toHaveProperty('reason');
      expect(Date.parse(a[0]?.recordedAt ?? '')).toBeGreaterThan(Date.parse(a[1]?.recordedAt ?? ''));
      expect(await store.listTicks({ limit: 1 })).toHaveLength(1);
      expect((await store.listTicks()).map((t) => t.pipeline)).toEqual(['b', 'a', 'a']);
    });

    it('keeps CDC lag samples per pipeline, oldest first, and drops those older than the retention as new ones come', async () => {
      let now = Date.UTC(2024, 0, 1);
      await setUp({ now: () => new Date(now) });
      const at = (ms: number): string => new Date(ms).toISOString();
      const start = now;
      await store.recordCdcLag({ pipeline: 'a', stream: 'public.x', lagBytes: 4096 });
      now += 60_000;
      await store.recordCdcLag({ pipeline: 'a', stream: 'public.y', lagBytes: 2 ** 40 });
      await store.recordCdcLag({ pipeline: 'b', stream: 'public.x', lagBytes: 1 });
      expect(await store.listCdcLag({ pipeline: 'a', since: at(start) })).toEqual([
        { pipeline: 'a', stream: 'public.x', at: at(start), lagBytes: 4096 },
        { pipeline: 'a', stream: 'public.y', at: at(start + 60_000), lagBytes: 2 ** 40 },
      ]);
      expect(await store.listCdcLag({ pipeline: 'a', since: at(start + 1) })).toHaveLength(1);
      // a sample past the retention prunes the pipeline's old ones (not other pipelines')
      now = start + CDC_LAG_RETENTION_MS + 30_000;
      await store.recordCdcLag({ pipeline: 'a', stream: 'public.x', lagBytes: 0 });
      expect((await store.listCdcLag({ pipeline: 'a', since: at(0) })).map((s) => s.at)).toEqual([
        at(start + 60_000),
        at(now),
      ]);
      expect(await store.listCdcLag({ pipeline: 'b', since: at(0) })).toHaveLength(1);
    });
  });
}
