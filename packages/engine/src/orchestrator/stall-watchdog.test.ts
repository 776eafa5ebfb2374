import { describe, expect, it } from 'vitest';
import { stallCode, stallOutcome, stallsInARow, stallVerdict } from './stall-watchdog.js';

const T = 60_000;

describe('stallVerdict: cdc streams', () => {
  it('a stream the hub read changes for, past its position, that received nothing for the timeout is stalled', () => {
    const verdict = stallVerdict(
      { now: 100_000, lastProgressAt: 40_000, replication: { position: 0x100n, tableWal: 0x200n } },
      T,
    );
    expect(verdict.action).toBe('stalled');
    expect(verdict.action === 'stalled' && verdict.reason).toContain("0/200, past the stream's position 0/100");
  });

  it('is not stalled before the timeout', () => {
    expect(
      stallVerdict({ now: 99_999, lastProgressAt: 40_000, replication: { position: 0x100n, tableWal: 0x200n } }, T)
        .action,
    ).toBe('idle');
  });

  it('a stream idle because its table has no WAL past its position is never stalled, however long', () => {
    expect(
      stallVerdict({ now: 10_000_000, lastProgressAt: 0, replication: { position: 0x300n, tableWal: 0x200n } }, T)
        .action,
    ).toBe('idle');
    expect(
      stallVerdict({ now: 10_000_000, lastProgressAt: 0, replication: { position: 0x200n, tableWal: 0x200n } }, T)
        .action,
    ).toBe('idle');
    // the hub has read nothing of its table in this run
    expect(
      stallVerdict({ now: 10_000_000, lastProgressAt: 0, replication: { position: 0x200n, tableWal: undefined } }, T)
        .action,
    ).toBe('idle');
  });

  it('a cdc stream whose destination is busy at its database (a large transaction, a lock) is waiting, not stalled', () => {
    const verdict = stallVerdict(
      { now: 100_000, lastProgressAt: 0, replication: { position: 1n, tableWal: 2n }, externalWaitSince: 30_000 },
      T,
    );
    expect(verdict.action).toBe('waiting');
    expect(verdict.action === 'waiting' && verdict.reason).toContain(
      'a request to its database has been running for 70.0 s',
    );
  });
});

describe('stallVerdict: batch streams (and cdc snapshots)', () => {
  it('no progress for the timeout and no stage waiting on its database is a stall', () => {
    const verdict = stallVerdict({ now: 70_000, lastProgressAt: 10_000 }, T);
    expect(verdict).toEqual({
      action: 'stalled',
      idleMs: 60_000,
      reason: 'no rows read or committed for 60.0 s, and no stage was waiting on its database',
    });
  });

  it('no progress while a query runs at the database (a slow first query, a lock wait) is waiting, not a stall', () => {
    const verdict = stallVerdict({ now: 130_000, lastProgressAt: 10_000, externalWaitSince: 20_000 }, T);
    expect(verdict.action).toBe('waiting');
    expect(verdict.action === 'waiting' && verdict.reason).toContain('running for 110.0 s');
  });

  it('progress within the timeout is idle', () => {
    expect(stallVerdict({ now: 70_000, lastProgressAt: 10_001 }, T).action).toBe('idle');
  });
});

describe('stall outcomes', () => {
  it('the first stall restarts; a second in a row without a commit between fails', () => {
    let inARow = stallsInARow(0, false);
    expect(stallOutcome(inARow)).toBe('restart');
    inARow = stallsInARow(inARow, false);
    expect(stallOutcome(inARow)).toBe('fail');
  });

  it('an attempt that committed before it stalled made progress: its stall is a first one again', () => {
    expect(stallOutcome(stallsInARow(1, true))).toBe('restart');
    expect(stallOutcome(stallsInARow(5, true))).toBe('restart');
  });

  it('codes tell cdc from batch stalls', () => {
    expect(stallCode('cdc')).toBe('CDC_STALLED');
    expect(stallCode('full_refresh')).toBe('STREAM_STALLED');
    expect(stallCode('incremental')).toBe('STREAM_STALLED');
  });
});
