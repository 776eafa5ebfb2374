import { Field, RecordBatch, Schema } from 'apache-arrow';
import {
  CDC_COLUMN_METADATA,
  CDC_COLUMN_ROLES,
  CDC_LSN_COLUMN,
  CDC_OP_COLUMN,
  CDC_UNCHANGED_COLUMN,
  type CdcColumnRole,
} from '@rapidbyte/sdk/contract';
import type { PgColumn } from '../codecs/index.js';

/** `pg_lsn`: binary send format is an int64. */
export const PG_LSN_OID = 3220;

/** The three columns every change frame ends with, as COPY BINARY columns (op and unchanged travel as text). */
export const CDC_EXTRA_COLUMNS: readonly PgColumn[] = [
  { name: CDC_OP_COLUMN, typeName: 'text', typeOid: 25, typeCategory: 'S', nullable: false },
  { name: CDC_LSN_COLUMN, typeName: 'pg_lsn', typeOid: PG_LSN_OID, typeCategory: 'U', nullable: false },
  { name: CDC_UNCHANGED_COLUMN, typeName: 'text', typeOid: 25, typeCategory: 'S', nullable: true },
];

/**
 * The change columns for a stream with columns `taken`: {@link CDC_EXTRA_COLUMNS}, each renamed
 * (`_rb_op_1`, `_rb_op_2`, …) when the stream has a column of that name, so a frame never holds
 * two fields of one name (frames are matched to COPY columns and transformed by name).
 */
export function cdcExtraColumns(taken: readonly string[]): PgColumn[] {
  const used = new Set(taken);
  return CDC_EXTRA_COLUMNS.map((c) => {
    let name = c.name;
    for (let n = 1; used.has(name); n++) name = `${c.name}_${n}`;
    used.add(name);
    return { ...c, name };
  });
}

/** `batch` with its last three fields (the change columns, in {@link CDC_COLUMN_ROLES} order) marked by role, and `metadata` as schema metadata. */
export function markChangeColumns(batch: RecordBatch, metadata: ReadonlyMap<string, string>): RecordBatch {
  const fields = batch.schema.fields;
  const first = fields.length - CDC_COLUMN_ROLES.length;
  const marked = fields.map((f, i) => {
    if (i < first) return f;
    const role = CDC_COLUMN_ROLES[i - first] as CdcColumnRole;
    return new Field(f.name, f.type, f.nullable, new Map([...f.metadata, [CDC_COLUMN_METADATA, role]]));
  });
  return new RecordBatch(new Schema(marked, new Map(metadata)), batch.data);
}
