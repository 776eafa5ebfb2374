import type { ColumnEncoder } from './column-encoder.js';

/** Writes rows [0, rows) at `pos` (int16 field count, then each field); returns the end position. */
export type RowEncoder = (view: DataView, buf: Uint8Array, pos: number, rows: number) => number;

/**
 * Generates a row loop specialised for the column encoders: one call site per column, so each
 * stays monomorphic.
 */
export function compileRowEncoder(encoders: readonly ColumnEncoder[]): RowEncoder {
  const params = encoders.map((_, c) => `e${c}`);
  const writes = encoders.map((_, c) => `pos = e${c}.write(view, buf, pos, i);`);
  const body = `
return function encodeRows(view, buf, pos, rows) {
  for (let i = 0; i < rows; i++) {
    view.setInt16(pos, ${encoders.length});
    pos += 2;
    ${writes.join('\n    ')}
  }
  return pos;
};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- per-schema code generation (see docs/architecture.md#codecs)
  const factory = new Function(...params, body) as (...args: unknown[]) => RowEncoder;
  return factory(...encoders);
}
