import type { RecordBatch } from 'apache-arrow';
import { buildColumn, type BuiltColumn } from './column-builder.js';
import { cellJson, readColumn } from './column-values.js';
import { castField, parseCastType } from './cast-type.js';
import { CastMiss, castValue } from './cast-value.js';
import { columnIndex, FrameOpError } from './frame-op-error.js';
import { replaceColumn } from './take-rows.js';

/**
 * `frame-cast`: a new batch with each listed column converted to its target type (one pass per
 * column, in the host). NULL stays NULL. The first value that does not convert fails the whole
 * frame with `CAST_FAILED`, naming the column, the row index in the frame and the value.
 */
export function castFrame(batch: RecordBatch, casts: readonly (readonly [string, string])[]): RecordBatch {
  let out = batch;
  for (const [column, typeText] of casts) {
    const index = columnIndex(out.schema.fields, column, 'frame-cast');
    const target = parseCastType(column, typeText);
    const cells = readColumn(out.data.children[index] as RecordBatch['data']);
    const values = new Array<unknown>(cells.length);
    for (let row = 0; row < cells.length; row++) {
      const cell = cells[row];
      if (cell === null || cell === undefined) {
        values[row] = null;
        continue;
      }
      const v = castValue(cell, target);
      if (v instanceof CastMiss) {
        const shown = JSON.stringify(cellJson(cell));
        throw new FrameOpError(
          'CAST_FAILED',
          `cannot cast column ${JSON.stringify(column)} row ${row} value ${shown} to ${typeText}: ${v.reason}`,
          {
            column,
            row,
            value: shown,
          },
        );
      }
      values[row] = v;
    }
    const data = buildColumn({ type: target.arrow, values } as BuiltColumn);
    out = replaceColumn(
      out,
      index,
      castField(out.schema.fields[index] as RecordBatch['schema']['fields'][number], target),
      data,
    );
  }
  return out;
}
