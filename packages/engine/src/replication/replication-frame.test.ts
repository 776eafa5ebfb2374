import { describe, expect, it } from 'vitest';
import { parseReplicationFrame, pgClockNow, standbyStatusUpdate } from './replication-frame.js';
import { pgo } from './test-support/pgoutput-builder.js';

describe('parseReplicationFrame', () => {
  it('parses XLogData with the message as a subarray', () => {
    const msg = pgo.begin(0x1234n, 5n, 7);
    const frame = pgo.xlog(0x10n, 0x20n, 99n, msg);
    const f = parseReplicationFrame(frame);
    expect(f).toMatchObject({ type: 'xlog', walStart: 0x10n, walEnd: 0x20n, clock: 99n });
    if (f.type !== 'xlog') throw new Error('xlog expected');
    expect(f.data.equals(msg)).toBe(true);
    expect(f.data.buffer).toBe(frame.buffer);
    expect(f.data.byteOffset).toBe(frame.byteOffset + 25);
  });

  it('parses an empty XLogData payload', () => {
    const f = parseReplicationFrame(pgo.xlog(1n, 2n, 3n, new Uint8Array(0)));
    expect(f.type === 'xlog' && f.data.length).toBe(0);
  });

  it('parses keepalives', () => {
    expect(parseReplicationFrame(pgo.keepalive(0xffffffffffn, 12n, true))).toEqual({
      type: 'keepalive',
      walEnd: 0xffffffffffn,
      clock: 12n,
      replyRequested: true,
    });
    expect(parseReplicationFrame(pgo.keepalive(1n, -5n, false))).toEqual({
      type: 'keepalive',
      walEnd: 1n,
      clock: -5n,
      replyRequested: false,
    });
  });

  it('rejects unknown, empty and truncated frames with REPLICATION_PROTOCOL', () => {
    const bad: Buffer[] = [Buffer.alloc(0), Buffer.from('x'), Buffer.from([0x72, 0, 0])];
    const xlog = pgo.xlog(1n, 2n, 3n, Buffer.alloc(0));
    const keepalive = pgo.keepalive(1n, 2n, true);
    for (let n = 1; n < xlog.length; n++) bad.push(xlog.subarray(0, n));
    for (let n = 1; n < keepalive.length; n++) bad.push(keepalive.subarray(0, n));
    for (const b of bad) {
      expect(() => parseReplicationFrame(b)).toThrow(
        expect.objectContaining({ kind: 'permanent', code: 'REPLICATION_PROTOCOL' }),
      );
    }
  });
});

describe('standbyStatusUpdate', () => {
  it('writes r + write/flush/apply + clock + reply flag', () => {
    const b = standbyStatusUpdate(1n, 2n, 3n, true, 42n);
    expect(b.length).toBe(34);
    expect(b[0]).toBe(0x72);
    expect([b.readBigUInt64BE(1), b.readBigUInt64BE(9), b.readBigUInt64BE(17), b.readBigInt64BE(25)]).toEqual([
      1n,
      2n,
      3n,
      42n,
    ]);
    expect(b[33]).toBe(1);
    expect(standbyStatusUpdate(0n, 0n, 0n, false, 0n)[33]).toBe(0);
  });

  it('defaults the clock to now since 2000-01-01 in µs', () => {
    const before = pgClockNow();
    const clock = standbyStatusUpdate(0n, 0n, 0n, false).readBigInt64BE(25);
    expect(clock >= before && clock - before < 5_000_000n).toBe(true);
    expect((BigInt(Date.UTC(2000, 0, 1)) * 1000n + clock) / 1000n - BigInt(Date.now())).toBeLessThan(5000n);
  });
});
