import { describe, expect, it } from 'vitest';
import { interruptedReason, type LockLiveness } from './lock-liveness.js';

const live: LockLiveness = { live: true, token: 't2', pid: 20, host: 'h2', acquiredAt: '2024-01-01T00:10:00.000Z' };
const run = { startedAt: '2024-01-01T00:00:00.000Z', pid: 10, host: 'h1', token: 't1' };

describe('interruptedReason', () => {
  it('a run whose lock is not live lost its process, and says why', () => {
    expect(interruptedReason(run, { live: false, why: 'pid 10 is no longer running on this host' })).toBe(
      'its process (pid 10 on host h1) went away without closing the run: pid 10 is no longer running on this host',
    );
  });

  it('a run under the live lock is still running', () => {
    expect(interruptedReason({ ...run, token: 't2' }, live)).toBeUndefined();
  });

  it('a run whose lock was taken over names the new holder', () => {
    expect(interruptedReason(run, live)).toBe(
      'its process (pid 10 on host h1) no longer holds the pipeline lock: pid 20 on host h2 took it over at 2024-01-01T00:10:00.000Z',
    );
  });

  it('a holder that has not named itself yet is "another process"', () => {
    expect(interruptedReason(run, { live: true, token: '', acquiredAt: '2024-01-01T00:10:00.000Z' })).toBe(
      'its process (pid 10 on host h1) no longer holds the pipeline lock: another process took it over at 2024-01-01T00:10:00.000Z',
    );
  });

  it("a run without a token is judged by time: begun before the live holder took the lock, it is not that holder's", () => {
    const untokened = { startedAt: '2024-01-01T00:00:00.000Z', pid: null, host: null, token: null };
    expect(interruptedReason(untokened, live)).toMatch(/^its process no longer holds the pipeline lock: pid 20/);
    expect(interruptedReason({ ...untokened, startedAt: '2024-01-01T00:10:00.000Z' }, live)).toBeUndefined();
    expect(interruptedReason({ ...untokened, startedAt: '2024-01-01T00:11:00.000Z' }, live)).toBeUndefined();
    expect(interruptedReason(untokened, { live: false, why: 'no process holds the pipeline lock' })).toBe(
      'its process went away without closing the run: no process holds the pipeline lock',
    );
  });
});
