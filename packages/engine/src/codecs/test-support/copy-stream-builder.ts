/**
 * Test support: builds COPY BINARY streams and Postgres binary values by hand, the way the
 * server sends them (numeric in canonical form), so codec tests need no database.
 */
import { COPY_BINARY_SIGNATURE } from '../copy-binary-signature.js';

/** A row field: the value's binary bytes, or null for NULL. */
export type PgField = Uint8Array | null;

export class CopyStreamBuilder {
  readonly #parts: Uint8Array[] = [];

  header(extension: Uint8Array = new Uint8Array(0), flags = 0): this {
    const h = new Uint8Array(19 + extension.length);
    h.set(COPY_BINARY_SIGNATURE);
    const v = new DataView(h.buffer);
    v.setInt32(11, flags);
    v.setInt32(15, extension.length);
    h.set(extension, 19);
    this.#parts.push(h);
    return this;
  }

  row(fields: readonly PgField[]): this {
    const size = 2 + fields.reduce((n, f) => n + 4 + (f?.length ?? 0), 0);
    const r = new Uint8Array(size);
    const v = new DataView(r.buffer);
    v.setInt16(0, fields.length);
    let p = 2;
    for (const f of fields) {
      v.setInt32(p, f === null ? -1 : f.length);
      p += 4;
      if (f !== null) {
        r.set(f, p);
        p += f.length;
      }
    }
    this.#parts.push(r);
    return this;
  }

  trailer(): this {
    this.#parts.push(new Uint8Array([0xff, 0xff]));
    return this;
  }

  bytes(): Uint8Array {
    return concatBytes(this.#parts);
  }
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function fixed(size: number, write: (v: DataView) => void): Uint8Array {
  const b = new Uint8Array(size);
  write(new DataView(b.buffer));
  return b;
}

export const pg = {
  int2: (n: number) => fixed(2, (v) => v.setInt16(0, n)),
  int4: (n: number) => fixed(4, (v) => v.setInt32(0, n)),
  oid: (n: number) => fixed(4, (v) => v.setUint32(0, n)),
  int8: (n: bigint) => fixed(8, (v) => v.setBigInt64(0, n)),
  float4: (n: number) => fixed(4, (v) => v.setFloat32(0, n)),
  float8: (n: number) => fixed(8, (v) => v.setFloat64(0, n)),
  bool: (b: boolean) => new Uint8Array([b ? 1 : 0]),
  text: (s: string) => new TextEncoder().encode(s),
  jsonb: (s: string) => {
    const t = new TextEncoder().encode(s);
    const b = new Uint8Array(t.length + 1);
    b[0] = 1;
    b.set(t, 1);
    return b;
  },
  uuid: (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/-/g, ''), 'hex')),
  /** Days since 2000-01-01. */
  date: (days: number) => fixed(4, (v) => v.setInt32(0, days)),
  /** µs since 2000-01-01 (timestamp/timestamptz) or since midnight (time). */
  int64: (us: bigint) => fixed(8, (v) => v.setBigInt64(0, us)),
  /** numeric from a decimal string ('NaN', 'Infinity', '-Infinity' allowed) with display scale `dscale`. */
  numeric: (s: string, dscale: number) => pgNumeric(s, dscale),
};

function pgNumeric(s: string, dscale: number): Uint8Array {
  const special: Record<string, number> = { NaN: 0xc000, Infinity: 0xd000, '-Infinity': 0xf000 };
  if (s in special)
    return fixed(8, (v) => {
      v.setUint16(4, special[s]);
    });
  const neg = s.startsWith('-');
  const [ip = '', fp = ''] = s.replace(/^[-+]/, '').split('.');
  const frac = fp.padEnd(dscale, '0');
  const intDigits = ip.replace(/^0+/, '');
  const intPadded = intDigits.padStart(Math.ceil(intDigits.length / 4) * 4, '0');
  const fracPadded = frac.padEnd(Math.ceil(frac.length / 4) * 4, '0');
  const groups: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) groups.push(Number(intPadded.slice(i, i + 4)));
  let weight = groups.length - 1;
  for (let i = 0; i < fracPadded.length; i += 4) groups.push(Number(fracPadded.slice(i, i + 4)));
  while (groups.length > 0 && groups[0] === 0) {
    groups.shift();
    weight--;
  }
  while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop();
  if (groups.length === 0) weight = 0;
  return fixed(8 + 2 * groups.length, (v) => {
    v.setInt16(0, groups.length);
    v.setInt16(2, weight);
    v.setUint16(4, neg && groups.length > 0 ? 0x4000 : 0);
    v.setUint16(6, dscale);
    groups.forEach((g, i) => v.setInt16(8 + 2 * i, g));
  });
}
