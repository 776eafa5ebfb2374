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
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

function lockedError(fn: () => unknown): StateError {
  try {
    fn();
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

describe('pipeline run lock', () => {
  it('refuses a second holder, naming the first, until released', () => {
    const a = open();
    const b = open();
    const release = a.acquirePipelineLock('orders', { pid: process.pid, host });
    const error = lockedError(() => b.acquirePipelineLock('orders', { pid: process.pid, host }));
    expect(error.details).toMatchObject({ pipeline: 'orders', pid: process.pid, host });
    expect(error.details.since).toMatch(/Z$/);
    expect(error.message).toContain(`pid ${process.pid} on host ${host}`);
    lockedError(() => a.acquirePipelineLock('orders', { pid: process.pid, host })); // not re-entrant

    const other = b.acquirePipelineLock('customers', { pid: process.pid, host }); // other pipelines are independent
    release();
    release(); // idempotent
    const releaseB = b.acquirePipelineLock('orders', { pid: process.pid, host });
    releaseB();
    other();
  });

  it('takes over a lock whose holder pid is dead on this host', () => {
    const pid = deadPid();
    open().acquirePipelineLock('orders', { pid, host });
    const takeover = open();
    const release = takeover.acquirePipelineLock('orders', { pid: process.pid, host });
    lockedError(() => open().acquirePipelineLock('orders', { pid: process.pid, host }));
    release();
  });

  it('does not judge a pid on another host dead, but takes over once its heartbeat is stale', () => {
    let nowMs = Date.UTC(2024, 0, 1);
    const now = () => new Date(nowMs);
    const remote = open({ now, locks: { staleAfterMs: 60_000, heartbeatMs: 0 } });
    const local = open({ now, locks: { staleAfterMs: 60_000, heartbeatMs: 0 } });
    const releaseRemote = remote.acquirePipelineLock('orders', { pid: deadPid(), host: 'some-other-host' });
    nowMs += 59_000;
    lockedError(() => local.acquirePipelineLock('orders', { pid: process.pid, host }));
    nowMs += 2_000;
    const release = local.acquirePipelineLock('orders', { pid: process.pid, host });
    releaseRemote(); // the old holder's release must not free the new holder's lock
    lockedError(() => open({ now }).acquirePipelineLock('orders', { pid: process.pid, host }));
    release();
    open({ now }).acquirePipelineLock('orders', { pid: process.pid, host })();
  });

  it('a live holder with a fresh heartbeat keeps the lock past the stale timeout', async () => {
    let nowMs = Date.now();
    const now = () => new Date(nowMs);
    const holder = open({ now, locks: { staleAfterMs: 1_000, heartbeatMs: 20 } });
    const release = holder.acquirePipelineLock('orders', { pid: process.pid, host: 'some-other-host' });
    nowMs += 5_000;
    await new Promise((resolve) => setTimeout(resolve, 100)); // heartbeats refresh at the new time
    lockedError(() => open({ now, locks: { staleAfterMs: 1_000, heartbeatMs: 0 } }).acquirePipelineLock('orders', { pid: process.pid, host }));
    release();
  });

  it('close releases the locks a store holds', () => {
    const a = open();
    const release = a.acquirePipelineLock('orders', { pid: process.pid, host });
    a.close();
    release(); // harmless after close
    open().acquirePipelineLock('orders', { pid: process.pid, host })();
  });
});
