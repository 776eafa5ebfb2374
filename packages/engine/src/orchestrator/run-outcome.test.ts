import { describe, expect, it } from 'vitest';
import type { StreamResult } from './run-result.js';
import { runOutcomeOf, thrownRunOutcome } from './run-outcome.js';

function stream(name: string, status: StreamResult['status'], error?: StreamResult['error']): StreamResult {
  return {
    stream: name,
    status,
    rowsRead: 0,
    bytesRead: 0,
    rowsWritten: 0,
    bytesWritten: 0,
    startedAt: '2024-01-01T00:00:00.000Z',
    finishedAt: '2024-01-01T00:00:01.000Z',
    durationMs: 1000,
    attempts: 1,
    ...(error ? { error } : {}),
  };
}

describe('runOutcomeOf', () => {
  it('a succeeded run has no reason and no error', () => {
    expect(runOutcomeOf('succeeded', [stream('a', 'succeeded')])).toEqual({});
  });

  it("a failed run carries the first failing stream's error, naming the stream", () => {
    const auth = {
      kind: 'permanent' as const,
      code: 'AUTH_FAILED',
      message: 'password authentication failed for user "app"',
      stage: 'destination:dest-postgres',
    };
    const outcome = runOutcomeOf('partial', [
      stream('a', 'succeeded'),
      stream('b', 'failed', auth),
      stream('c', 'failed'),
    ]);
    expect(outcome.error).toEqual({
      code: 'AUTH_FAILED',
      kind: 'permanent',
      message: 'b: password authentication failed for user "app"',
    });
    expect(outcome.reason).toBe(
      '2 of 3 streams did not succeed; AUTH_FAILED: b: password authentication failed for user "app"',
    );
    expect(runOutcomeOf('failed', [stream('a', 'failed')])).toEqual({ reason: '1 of 1 stream did not succeed' });
  });

  it('a cancelled run says it was stopped', () => {
    expect(runOutcomeOf('cancelled', [stream('a', 'cancelled')]).reason).toMatch(/SIGINT/);
  });
});

describe('thrownRunOutcome', () => {
  it("keeps a typed error's code and kind, redacts the message", () => {
    const thrown = Object.assign(new Error('slot for postgres://u:secret@h/db failed'), {
      code: 'SLOT_INVALID',
      kind: 'transient',
    });
    expect(thrownRunOutcome(thrown, (t) => t.replaceAll('secret', '***'))).toEqual({
      error: { code: 'SLOT_INVALID', kind: 'transient', message: 'slot for postgres://u:***@h/db failed' },
    });
    expect(thrownRunOutcome(new Error('boom'), (t) => t).error).toMatchObject({
      code: 'RUN_FAILED',
      kind: 'permanent',
      message: 'boom',
    });
  });
});
