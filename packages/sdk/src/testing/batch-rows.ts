import type { RecordBatch } from 'apache-arrow';

/** A row of a record batch as a plain object. */
export type PlainRow = Record<string, unknown>;

/** The rows of a record batch as plain objects, in column order (Arrow's own value conversions). */
export function batchRows(batch: RecordBatch): PlainRow[] {
  const names = batch.schema.fields.map((f) => f.name);
  const columns = names.map((_, i) => batch.getChildAt(i));
  const rows: PlainRow[] = [];
  for (let r = 0; r < batch.numRows; r++) {
    const row: PlainRow = {};
    names.forEach((name, i) => {
      row[name] = columns[i]?.get(r) ?? null;
    });
    rows.push(row);
  }
  return rows;
}
