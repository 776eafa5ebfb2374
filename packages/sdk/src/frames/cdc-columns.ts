/**
 * The vocabulary of CDC frames shared by the engine (which builds change frames from the WAL),
 * the source (which reads the snapshot) and the destination (which applies or logs the changes).
 */

/** Schema metadata key telling which part of a CDC stream a frame belongs to (a {@link CdcPhase}). */
export const CDC_PHASE_METADATA = 'rapidbyte.cdc_phase';

/** `snapshot`: plain table rows read before the changes; `changes`: rows decoded from the WAL. */
export const CDC_PHASES = ['snapshot', 'changes'] as const;
export type CdcPhase = (typeof CDC_PHASES)[number];

/** Default names of the change columns a change frame ends with (renamed `_rb_op_1`, … when the stream has a column of that name). */
export const CDC_OP_COLUMN = '_rb_op';
export const CDC_LSN_COLUMN = '_rb_lsn';
export const CDC_UNCHANGED_COLUMN = '_rb_unchanged';

/**
 * Field metadata key marking a change column of a change frame, with its role as value. A
 * destination finds the operation, LSN and unchanged list by this mark, never by name: a source
 * table may have columns named `_rb_op` etc. of its own, which travel as ordinary columns.
 */
export const CDC_COLUMN_METADATA = 'rapidbyte.cdc_column';
/** The roles of the change columns, in the order a change frame carries them. */
export const CDC_COLUMN_ROLES = ['op', 'lsn', 'unchanged'] as const;
export type CdcColumnRole = (typeof CDC_COLUMN_ROLES)[number];

/** `_rb_op` values: `r` snapshot read (a change log's snapshot rows), `I` insert, `U` update, `D` delete, `T` truncate of the whole table. */
export const CDC_OPS = ['r', 'I', 'U', 'D', 'T'] as const;
export type CdcOp = (typeof CDC_OPS)[number];

/** The operations decoded from the WAL (every {@link CdcOp} but the snapshot's `r`). */
export type CdcChangeOp = Exclude<CdcOp, 'r'>;
