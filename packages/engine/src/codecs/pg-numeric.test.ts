import { describe, expect, it } from 'vitest';
import { decimalWordsAsBigInt, readPgNumericAsDecimal128, writeDecimal128AsPgNumeric } from './pg-numeric.js';
import { pg } from './test-support/copy-stream-builder.js';

function unscaled(s: string, scale: number): bigint {
  const neg = s.startsWith('-');
  const [ip = '', fp = ''] = s.replace(/^-/, '').split('.');
  const v = BigInt((ip || '0') + fp.padEnd(scale, '0'));
  return neg ? -v : v;
}

function decode(bytes: Uint8Array, scale: number): bigint | undefined {
  const out = new Uint32Array(8);
  const ok = readPgNumericAsDecimal128(new DataView(bytes.buffer), 0, bytes.length, scale, out, 1);
  return ok ? decimalWordsAsBigInt(out, 1) : undefined;
}

function encode(value: bigint, scale: number): Uint8Array {
  const words = new Uint32Array(4);
  const u = BigInt.asUintN(128, value);
  for (let i = 0; i < 4; i++) words[i] = Number((u >> BigInt(32 * i)) & 0xffffffffn);
  const buf = new Uint8Array(64);
  const end = writeDecimal128AsPgNumeric(words, 0, scale, new DataView(buf.buffer), 0, new Uint16Array(24));
  return buf.slice(0, end);
}

const CASES: [string, number][] = [
  ['0', 0],
  ['0', 2],
  ['0', 10],
  ['1', 0],
  ['-1', 0],
  ['12.34', 2],
  ['-0.01', 2],
  ['0.0001', 4],
  ['10000', 0],
  ['9999999999.99', 2],
  ['-9999999999.99', 2],
  ['1.5', 1],
  ['100000000', 3],
  ['123456789012345678901234567.8901234567', 10],
  ['-123456789012345678901234567.8901234567', 10],
  ['9999999999999999999999999999.9999999999', 10],
  ['0.0000000001', 10],
  ['-0.0000000001', 10],
  ['9007199254740993', 0],
  ['-9007199254740993', 0],
  ['90071992547409.93', 2],
  ['99999999999999999999999999999999999999', 0],
  ['-0.99999999999999999999999999999999999999', 38],
  ['0.00000000000000000000000000000000000001', 38],
  ['12345678.12345678901234', 14],
  ['4503599627370496', 0],
];

describe('pg numeric <-> Decimal128', () => {
  it.each(CASES)('%s at scale %i decodes exactly and re-encodes to the same bytes', (s, scale) => {
    const bytes = pg.numeric(s, scale);
    expect(decode(bytes, scale)).toBe(unscaled(s, scale));
    expect(Buffer.from(encode(unscaled(s, scale), scale)).toString('hex')).toBe(Buffer.from(bytes).toString('hex'));
  });

  it('rescales values written with a smaller dscale', () => {
    expect(decode(pg.numeric('1.5', 1), 4)).toBe(15000n);
    expect(decode(pg.numeric('-7', 0), 3)).toBe(-7000n);
  });

  it('refuses NaN, infinities, and digits beyond the scale', () => {
    expect(decode(pg.numeric('NaN', 0), 2)).toBeUndefined();
    expect(decode(pg.numeric('Infinity', 0), 2)).toBeUndefined();
    expect(decode(pg.numeric('-Infinity', 0), 2)).toBeUndefined();
    expect(decode(pg.numeric('1.234', 3), 2)).toBeUndefined();
    expect(decode(pg.numeric('1' + '0'.repeat(38), 0), 0)).toBeUndefined();
  });

  it('round-trips random values of every scale', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let k = 0; k < 2000; k++) {
      const scale = rnd(39);
      const digits = 1 + rnd(38);
      let str = '';
      for (let d = 0; d < digits; d++) str += String(rnd(10));
      const v = BigInt(str) * (rnd(2) === 0 ? 1n : -1n);
      const abs = (v < 0n ? -v : v).toString().padStart(scale + 1, '0');
      const text =
        (v < 0n ? '-' : '') +
        (scale === 0 ? abs : `${abs.slice(0, abs.length - scale)}.${abs.slice(abs.length - scale)}`);
      const bytes = pg.numeric(text, scale);
      expect(decode(bytes, scale)).toBe(v);
      expect(Buffer.from(encode(v, scale))).toEqual(Buffer.from(bytes));
    }
  });
});
