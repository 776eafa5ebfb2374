import type { ColumnDecoder } from './column-decoder.js';
import { CopyFormatError, type CopyFormatErrorCode } from './copy-format-error.js';

/** Progress of the current batch, updated by a {@link RowDecoder}. */
export interface RowDecodeState {
  /** Rows in the current batch. */
  rows: number;
  /** Raw bytes of those rows. */
  bytes: number;
  /** Set once the trailer (field count −1) has been consumed. */
  trailer: boolean;
}

/**
 * Decodes whole rows from `buf[pos, end)` into the column decoders until the batch is full
 * (`st.rows ≥ maxRows` or `st.bytes ≥ maxBytes`), the trailer is read, or the next row is
 * incomplete. Returns the position after the last consumed row (or trailer). Offsets in thrown
 * CopyFormatErrors are relative to `buf`.
 */
export type RowDecoder = (
  buf: Uint8Array,
  view: DataView,
  pos: number,
  end: number,
  maxRows: number,
  maxBytes: number,
  st: RowDecodeState,
) => number;

function fail(code: CopyFormatErrorCode, message: string, offset: number): never {
  throw new CopyFormatError(code, message, { offset });
}

/**
 * Generates a row loop specialised for the schema: field lengths are read into locals and
 * bounds-checked first (an incomplete row consumes nothing), then each column's `put` is called
 * from its own call site, so every call site stays monomorphic.
 */
export function compileRowDecoder(decoders: readonly ColumnDecoder[]): RowDecoder {
  const n = decoders.length;
  const params = decoders.map((_, c) => `c${c}`);
  const scan: string[] = [];
  const puts: string[] = [];
  for (let c = 0; c < n; c++) {
    scan.push(
      `if (p + 4 > end) break;`,
      `const l${c} = view.getInt32(p); const o${c} = p + 4;`,
      `if (l${c} < -1) fail('BAD_FIELD_LENGTH', 'field length ' + l${c} + ' in column ' + ${c}, p);`,
      `p = l${c} > 0 ? o${c} + l${c} : o${c};`,
    );
    puts.push(`c${c}.put(view, buf, o${c}, l${c});`);
  }
  const body = `
return function decodeRows(buf, view, pos, end, maxRows, maxBytes, st) {
  let rows = st.rows, bytes = st.bytes;
  try {
    while (rows < maxRows && bytes < maxBytes) {
      if (pos + 2 > end) break;
      const nf = view.getInt16(pos);
      if (nf !== ${n}) {
        if (nf === -1) { st.trailer = true; pos += 2; break; }
        fail('BAD_FIELD_COUNT', 'row has ' + nf + ' fields, expected ${n}', pos);
      }
      let p = pos + 2;
      ${scan.join('\n      ')}
      if (p > end) break;
      ${puts.join('\n      ')}
      bytes += p - pos;
      pos = p;
      rows++;
    }
  } finally {
    // also on a throw, so the error names the failing row
    st.rows = rows;
    st.bytes = bytes;
  }
  return pos;
};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- per-schema code generation (see docs/architecture.md#codecs)
  const factory = new Function('fail', ...params, body) as (...args: unknown[]) => RowDecoder;
  return factory(fail, ...decoders);
}
