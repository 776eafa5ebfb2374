import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from './process-alive.js';
import { openSqliteStateStore } from './sqlite-state-store.js';
import { StateError } from './state-error.js';
import type { StateStore } from './state-store.js';

let dir: string;
const opened: StateStore[] = [];
function open(options?: Parameters<typeof openSqliteStateStore>[1]): StateStore {
  const store = openSqliteStateStore(join(dir, 'state.db'), options);
  opened.push(store);
  return store;
}
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rb-state-'));
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function lockedError(promise: Promise<unknown>): Promise<StateError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe('PIPELINE_LOCKED');
    return error as StateError;
  }
  throw new Error('expected PIPELINE_LOCKED');
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.pid).toBeGreaterThan(0);
  expect(isProcessAlive(child.pid as number)).toBe(false);
  return child.pid as number;
}

const host = hostname();

describe('sqlite pipeline run lock: takeover of dead or stale holders', () => {
  it('takes over a lock whose holder pid is dead on this host', async () => {
    const pid = deadPid();
    await open().acquirePipelineLock('orders', { pid, host });
    const takeover = open();
    const release = await takeover.acquirePipelineLock('orders', { pid: process.pid, host });
    await lockedError(open().acquirePipelineLock('orders', { pid: process.pid, host }));
    await release();
  });

  it('does not judge a pid on another host dead, but takes over once its heartbeat is stale', async () => {
    let nowMs = Date.UTC(2024, 0, 1);
    const now = () => new Date(nowMs);
    const remote = open({ now, locks: { staleAfterMs: 60_000, heartbeatMs: 0 } });
    const local = open({ now, locks: { staleAfterMs: 60_000, heartbeatMs: 0 } });
    const releaseRemote = await remote.acquirePipelineLock('orders', { pid: deadPid(), host: 'some-other-host' });
    nowMs += 59_000;
    await lockedError(local.acquirePipelineLock('orders', { pid: process.pid, host }));
    nowMs += 2_000;
    const release = await local.acquirePipelineLock('orders', { pid: process.pid, host });
    await releaseRemote(); // the old holder's release must not free the new holder's lock
    await lockedError(open({ now }).acquirePipelineLock('orders', { pid: process.pid, host }));
    await release();
    await (
      await open({ now }).acquirePipelineLock('orders', { pid: process.pid, host })
    )();
  });

  it('a live holder with a fresh heartbeat keeps the lock past the stale timeout', async () => {
    let nowMs = Date.now();
    const now = () => new Date(nowMs);
    const holder = open({ now, locks: { staleAfterMs: 1_000, heartbeatMs: 20 } });
    const release = await holder.acquirePipelineLock('orders', { pid: process.pid, host: 'some-other-host' });
    nowMs += 5_000;
    await new Promise((resolve) => setTimeout(resolve, 100)); // heartbeats refresh at the new time
    await lockedError(
      open({ now, locks: { staleAfterMs: 1_000, heartbeatMs: 0 } }).acquirePipelineLock('orders', {
        pid: process.pid,
        host,
      }),
    );
    await release();
  });
});

describe('sqlite: runs whose lock holder is gone are closed as interrupted', () => {
  it('a run whose holder pid is dead on this host, without a new holder yet', async () => {
    const pid = deadPid();
    const dead = open();
    await dead.acquirePipelineLock('orders', { pid, host });
    const runId = await dead.beginRun('orders', ['public.orders']);
    await dead.startRun(runId);
    await dead.transition(runId, 'public.orders', 'running');
    await dead.recordStreamCounts(runId, 'public.orders', {
      rowsRead: 50,
      rowsWritten: 40,
      bytesRead: 500,
      bytesWritten: 400,
    });
    const reader = open();
    expect(await reader.closeInterruptedRuns('other')).toEqual([]);
    expect(await reader.closeInterruptedRuns('orders')).toEqual([runId]);
    const run = await reader.getRun(runId);
    expect(run?.status).toBe('interrupted');
    expect(run?.holder).toEqual({ pid, host });
    expect(run?.streams[0]).toMatchObject({ status: 'interrupted', counts: { rowsWritten: 40, rowsRead: 50 } });
    expect((await reader.listRunTransitions(runId)).at(-1)?.reason).toBe(
      `its process (pid ${pid} on host ${host}) went away without closing the run: pid ${pid} is no longer running on this host`,
    );
  });

  it('a run whose holder on another host stopped its heartbeat', async () => {
    let nowMs = Date.UTC(2024, 0, 1);
    const now = () => new Date(nowMs);
    const remote = open({ now, locks: { staleAfterMs: 60_000, heartbeatMs: 0 } });
    await remote.acquirePipelineLock('orders', { pid: process.pid, host: 'some-other-host' });
    const runId = await remote.beginRun('orders', ['public.orders']);
    const reader = open({ now, locks: { staleAfterMs: 60_000, heartbeatMs: 0 } });
    nowMs += 59_000;
    expect(await reader.closeInterruptedRuns()).toEqual([]);
    nowMs += 2_000;
    expect(await reader.closeInterruptedRuns()).toEqual([runId]);
    expect((await reader.getRun(runId))?.streams[0]?.status).toBe('interrupted');
    expect((await reader.listRunTransitions(runId)).map((t) => [t.from, t.to])).toEqual([
      [null, 'pending'],
      ['pending', 'interrupted'],
    ]);
    expect((await reader.listRunTransitions(runId)).at(-1)?.reason).toBe(
      `its process (pid ${process.pid} on host some-other-host) went away without closing the run: its lock heartbeat stopped at 2024-01-01T00:00:00.000Z (stale after 60000 ms)`,
    );
  });

  it('a run left open by an engine that kept no holder is closed by the next holder of its lock', async () => {
    let nowMs = Date.UTC(2024, 0, 1);
    const now = () => new Date(nowMs);
    const old = open({ now });
    const runId = await old.beginRun('orders', ['public.orders']); // no lock held: no holder, no token
    nowMs += 1_000;
    const next = open({ now });
    const release = await next.acquirePipelineLock('orders', { pid: process.pid, host });
    expect(await next.closeInterruptedRuns('orders')).toEqual([runId]);
    expect((await next.listRunTransitions(runId)).at(-1)?.reason).toBe(
      `its process no longer holds the pipeline lock: pid ${process.pid} on host ${host} took it over at 2024-01-01T00:00:01.000Z`,
    );
    await release();
  });
});
