import type { PgColumn } from '../codecs/index.js';

/** Change operation of a row: 'I' insert, 'U' update, 'D' delete, 'T' truncate of the whole table. */
export const CDC_OPS = ['I', 'U', 'D', 'T'] as const;
export type CdcOp = (typeof CDC_OPS)[number];

export const CDC_OP_COLUMN = '_rb_op';
export const CDC_LSN_COLUMN = '_rb_lsn';
export const CDC_UNCHANGED_COLUMN = '_rb_unchanged';

/** Schema metadata key telling a destination which phase a frame belongs to; change frames say {@link CDC_PHASE_CHANGES}. */
export const CDC_PHASE_KEY = 'rapidbyte.cdc_phase';
export const CDC_PHASE_CHANGES = 'changes';

/** `pg_lsn`: binary send format is an int64. */
export const PG_LSN_OID = 3220;

/** The three columns every change frame ends with, as COPY BINARY columns (op and unchanged travel as text). */
export const CDC_EXTRA_COLUMNS: readonly PgColumn[] = [
  { name: CDC_OP_COLUMN, typeName: 'text', typeOid: 25, typeCategory: 'S', nullable: false },
  { name: CDC_LSN_COLUMN, typeName: 'pg_lsn', typeOid: PG_LSN_OID, typeCategory: 'U', nullable: false },
  { name: CDC_UNCHANGED_COLUMN, typeName: 'text', typeOid: 25, typeCategory: 'S', nullable: true },
];
