import { createHash } from 'node:crypto';
import { Field, Utf8, type RecordBatch } from 'apache-arrow';
import { isPgMetadataKey, PG_METADATA_KEYS } from '../frames/frame-metadata.js';
import { buildColumn } from './column-builder.js';
import { cellText, readColumn } from './column-values.js';
import { columnIndex, FrameOpError } from './frame-op-error.js';
import { replaceColumn } from './take-rows.js';

/** Hash algorithms `frame-hash` offers. */
export const HASH_ALGORITHMS = ['sha256'] as const;
export type HashAlgorithm = (typeof HASH_ALGORITHMS)[number];

/** A field now holding text: same name and nullability, Postgres type `text`. */
function textField(field: Field): Field {
  const metadata = new Map([...field.metadata].filter(([k]) => !isPgMetadataKey(k)));
  metadata.set(PG_METADATA_KEYS.type, 'text');
  metadata.set(PG_METADATA_KEYS.oid, '25');
  metadata.set(PG_METADATA_KEYS.category, 'S');
  return new Field(field.name, new Utf8(), field.nullable, metadata);
}

/**
 * `frame-hash`: replaces a column by the lowercase hex digest of `salt + text of the value`
 * (a utf8 column); NULL stays NULL. Deterministic, so hashed keys still join.
 */
export function hashColumn(batch: RecordBatch, column: string, algorithm: string, salt: string): RecordBatch {
  if (!(HASH_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new FrameOpError(
      'BAD_ALGORITHM',
      `frame-hash: unknown algorithm ${JSON.stringify(algorithm)}; allowed: ${HASH_ALGORITHMS.join(', ')}`,
      { column },
    );
  }
  const index = columnIndex(batch.schema.fields, column, 'frame-hash');
  const values = readColumn(batch.data.children[index] as RecordBatch['data']).map((v) =>
    v === null ? null : createHash(algorithm).update(salt).update(cellText(v)).digest('hex'),
  );
  return replaceColumn(
    batch,
    index,
    textField(batch.schema.fields[index] as Field),
    buildColumn({ type: new Utf8(), values }),
  );
}

/**
 * `frame-mask`: replaces every non-NULL value of a column by `replacement` (the column becomes
 * utf8), or, when `replacement` is undefined, every value by NULL (the column keeps its type and
 * becomes nullable).
 */
export function maskColumn(batch: RecordBatch, column: string, replacement: string | undefined): RecordBatch {
  const index = columnIndex(batch.schema.fields, column, 'frame-mask');
  const field = batch.schema.fields[index] as Field;
  if (replacement === undefined) {
    const data = batch.data.children[index] as RecordBatch['data'];
    const nulls = data.clone(data.type, data.offset, data.length, data.length, [
      data.valueOffsets,
      data.values,
      new Uint8Array((data.length + 7) >> 3),
      data.typeIds,
    ] as never);
    return replaceColumn(batch, index, new Field(field.name, field.type, true, field.metadata), nulls);
  }
  const data = batch.data.children[index] as RecordBatch['data'];
  const values = Array.from({ length: data.length }, (_, i) =>
    data.nullCount === 0 || data.getValid(i) ? replacement : null,
  );
  return replaceColumn(batch, index, textField(field), buildColumn({ type: new Utf8(), values }));
}
