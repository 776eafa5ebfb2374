import { describe, expect, it } from 'vitest';
import { decideLostWorkers, type WorkerSighting } from './decide-lost-workers.js';

const live = (workerId: string, heartbeatAgeMs: number, leaseHeld = true): WorkerSighting => ({
  workerId,
  status: 'live',
  heartbeatAgeMs,
  leaseHeld,
});

describe('decideLostWorkers', () => {
  const options = { self: 'w1', leaseTimeoutMs: 10_000 };

  it('leaves workers alone whose lease is held and heartbeat fresh', () => {
    expect(decideLostWorkers([live('w2', 900), live('w3', 9_999)], options)).toEqual([]);
  });

  it('reclaims at once a worker whose lease session ended, however fresh its heartbeat (kill -9)', () => {
    expect(decideLostWorkers([live('w2', 50, false)], options)).toEqual([
      { workerId: 'w2', action: 'reclaim', reason: 'its lease session ended' },
    ]);
  });

  it('terminates the session of a worker whose heartbeat is older than the lease timeout (SIGSTOP)', () => {
    const [d] = decideLostWorkers([live('w2', 10_001)], options);
    expect(d).toMatchObject({ workerId: 'w2', action: 'terminate' });
    expect(d?.reason).toContain('no heartbeat for 10001 ms');
  });

  it('never decides about itself, even with a stale heartbeat or no lease', () => {
    expect(decideLostWorkers([live('w1', 60_000, false), live('w1', 60_000)], options)).toEqual([]);
  });

  it('ignores workers that stopped cleanly, and reclaims lost ones again only once their session is gone', () => {
    const stopped: WorkerSighting = { workerId: 'w2', status: 'stopped', heartbeatAgeMs: 99_000, leaseHeld: false };
    const lostGone: WorkerSighting = { workerId: 'w3', status: 'lost', heartbeatAgeMs: 99_000, leaseHeld: false };
    const lostHeld: WorkerSighting = { workerId: 'w4', status: 'lost', heartbeatAgeMs: 99_000, leaseHeld: true };
    expect(decideLostWorkers([stopped, lostGone, lostHeld], options)).toEqual([
      { workerId: 'w3', action: 'reclaim', reason: 'marked lost before' },
    ]);
  });
});
