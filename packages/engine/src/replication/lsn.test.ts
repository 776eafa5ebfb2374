import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from './lsn.js';
import { ReplicationError } from './replication-error.js';

describe('parseLsn / formatLsn', () => {
  it('parses and formats like Postgres', () => {
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('ffffffff/ffffffff')).toBe((1n << 64n) - 1n);
    expect(formatLsn(0x16b374d848n)).toBe('16/B374D848');
    expect(formatLsn(0n)).toBe('0/0');
    expect(formatLsn(0x100000001n)).toBe('1/1');
    expect(formatLsn((1n << 64n) - 1n)).toBe('FFFFFFFF/FFFFFFFF');
  });

  it('round-trips', () => {
    for (const text of ['0/1', 'A/0', '1/2345678', 'DEADBEEF/C0FFEE']) expect(formatLsn(parseLsn(text))).toBe(text);
  });

  it('rejects bad text with a typed error naming it', () => {
    for (const bad of ['', '16', '16/', '/1', '1/2/3', 'g/0', '123456789/0', ' 1/2', '1/2 ', '-1/0']) {
      let error: unknown;
      try {
        parseLsn(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ReplicationError);
      expect(error).toMatchObject({ kind: 'permanent', code: 'INVALID_LSN' });
      expect((error as Error).message).toContain(JSON.stringify(bad));
    }
  });

  it('rejects values outside 64 bits', () => {
    expect(() => formatLsn(-1n)).toThrow(expect.objectContaining({ code: 'INVALID_LSN' }));
    expect(() => formatLsn(1n << 64n)).toThrow(expect.objectContaining({ code: 'INVALID_LSN' }));
  });
});
