import type { FrameField, FrameSchema } from '@rapidbyte/sdk';

/** Schema metadata key that tells which part of a CDC stream a frame belongs to. */
export const CDC_PHASE_METADATA = 'rapidbyte.cdc_phase';

/** `snapshot`: plain table rows read before the changes; `changes`: rows decoded from the WAL. */
export const CDC_PHASES = ['snapshot', 'changes'] as const;
export type CdcPhase = (typeof CDC_PHASES)[number];

/** Change columns a CDC frame carries after the stream's columns. */
export const CDC_OP_COLUMN = '_rb_op';
export const CDC_LSN_COLUMN = '_rb_lsn';
export const CDC_UNCHANGED_COLUMN = '_rb_unchanged';
export const CDC_META_COLUMNS = [CDC_OP_COLUMN, CDC_LSN_COLUMN, CDC_UNCHANGED_COLUMN] as const;

/**
 * `_rb_op` values: `r` snapshot read (append only), `I` insert, `U` update, `D` delete, `T` truncate.
 */
export const CDC_OPS = ['r', 'I', 'U', 'D', 'T'] as const;
export type CdcOp = (typeof CDC_OPS)[number];

/** The write modes a `cdc` stream can be loaded with. */
export const CDC_WRITE_MODES = ['upsert', 'append'] as const;
export type CdcWriteMode = (typeof CDC_WRITE_MODES)[number];

export function isCdcWriteMode(mode: string): mode is CdcWriteMode {
  return (CDC_WRITE_MODES as readonly string[]).includes(mode);
}

/**
 * The phase of a frame: its `rapidbyte.cdc_phase` metadata; without it, a frame that has an
 * `_rb_op` column is taken for changes only in `upsert` mode (in `append` every frame has one and
 * the phase does not matter).
 */
export function cdcPhase(schema: FrameSchema): CdcPhase {
  const tagged = schema.metadata?.[CDC_PHASE_METADATA];
  if (tagged === 'snapshot' || tagged === 'changes') return tagged;
  return schema.fields.some((f) => f.name === CDC_OP_COLUMN) ? 'changes' : 'snapshot';
}

/** The stream's own columns of a frame: its fields without the CDC change columns. */
export function streamFields(fields: readonly FrameField[]): FrameField[] {
  return fields.filter((f) => !(CDC_META_COLUMNS as readonly string[]).includes(f.name));
}

/** Whether a checkpoint marker's payload closes a snapshot (`{"mode":"cdc","lsn":…,"snapshot":true}`). */
export function isSnapshotMarker(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { snapshot?: unknown }).snapshot === true;
}
