import type { FrameField, FrameSchema } from '@rapidbyte/sdk';
import {
  CDC_COLUMN_METADATA,
  CDC_COLUMN_ROLES,
  CDC_LSN_COLUMN,
  CDC_OP_COLUMN,
  CDC_PHASE_METADATA,
  CDC_UNCHANGED_COLUMN,
  type CdcColumnRole,
  type CdcPhase,
} from '@rapidbyte/sdk/frames';

/** Names of the change columns a change log keeps (and a frame carries unless they are taken, see {@link changeColumns}). */
export const CDC_META_COLUMNS = [CDC_OP_COLUMN, CDC_LSN_COLUMN, CDC_UNCHANGED_COLUMN] as const;

/** The frame field names of the change columns a frame carries, by role (a role absent: the frame has no such column). */
export type ChangeColumns = Partial<Record<CdcColumnRole, string>>;

const DEFAULT_NAMES: Readonly<Record<CdcColumnRole, string>> = {
  op: CDC_OP_COLUMN,
  lsn: CDC_LSN_COLUMN,
  unchanged: CDC_UNCHANGED_COLUMN,
};

/** The write modes a `cdc` stream can be loaded with. */
export const CDC_WRITE_MODES = ['upsert', 'append'] as const;
export type CdcWriteMode = (typeof CDC_WRITE_MODES)[number];

export function isCdcWriteMode(mode: string): mode is CdcWriteMode {
  return (CDC_WRITE_MODES as readonly string[]).includes(mode);
}

/**
 * The phase of a frame: its `rapidbyte.cdc_phase` metadata; without it, a frame that has a marked
 * (or, unmarked, an `_rb_op`) op column is taken for changes — what matters in `upsert` mode (in
 * `append` every frame has one and the phase does not matter).
 */
export function cdcPhase(schema: FrameSchema): CdcPhase {
  const tagged = schema.metadata?.[CDC_PHASE_METADATA];
  if (tagged === 'snapshot' || tagged === 'changes') return tagged;
  return schema.fields.some((f) => f.metadata?.[CDC_COLUMN_METADATA] === 'op' || f.name === CDC_OP_COLUMN)
    ? 'changes'
    : 'snapshot';
}

/**
 * The change columns of a frame of a stream loaded with `mode`. The engine marks those of change
 * frames (field metadata {@link CDC_COLUMN_METADATA}); a frame with no mark has them by name
 * (`_rb_op`, `_rb_lsn`, `_rb_unchanged`) when it is a change frame or belongs to a change log (its
 * snapshot selects them as plain columns; a change log refuses source columns of those names), and
 * a snapshot frame of an upsert stream has none — all its fields are the table's.
 */
export function changeColumns(schema: FrameSchema, mode: CdcWriteMode): ChangeColumns {
  const found: ChangeColumns = {};
  let marked = false;
  for (const f of schema.fields) {
    const role = f.metadata?.[CDC_COLUMN_METADATA];
    if (role === undefined || !(CDC_COLUMN_ROLES as readonly string[]).includes(role)) continue;
    found[role as CdcColumnRole] = f.name;
    marked = true;
  }
  if (marked || (mode === 'upsert' && cdcPhase(schema) === 'snapshot')) return found;
  const names = new Set(schema.fields.map((f) => f.name));
  for (const role of CDC_COLUMN_ROLES) if (names.has(DEFAULT_NAMES[role])) found[role] = DEFAULT_NAMES[role];
  return found;
}

/** The stream's own columns of a frame: its fields without its change columns (see {@link changeColumns}). */
export function streamFields(schema: FrameSchema, mode: CdcWriteMode): FrameField[] {
  const change = new Set(Object.values(changeColumns(schema, mode)));
  return schema.fields.filter((f) => !change.has(f.name));
}

/**
 * Source columns whose names a CDC target needs for its own columns: in a change log `_rb_op`,
 * `_rb_lsn`, `_rb_unchanged`, and the bookkeeping columns the settings add (`_rb_deleted_at`,
 * `_rb_synced_at`). Loading such a column would mix the source's values with the destination's.
 */
export function reservedColumnClashes(
  schema: FrameSchema,
  mode: CdcWriteMode,
  bookkeeping: readonly string[],
): string[] {
  const reserved = new Set<string>([...(mode === 'append' ? CDC_META_COLUMNS : []), ...bookkeeping]);
  const clashes = new Set(
    streamFields(schema, mode)
      .map((f) => f.name)
      .filter((n) => reserved.has(n)),
  );
  // a frame without marks that has a source column named like a change column holds the name twice
  const seen = new Set<string>();
  for (const f of schema.fields) {
    if (seen.has(f.name) && reserved.has(f.name)) clashes.add(f.name);
    seen.add(f.name);
  }
  return [...clashes];
}

/** Whether a checkpoint marker's payload closes a snapshot (`{"mode":"cdc","lsn":…,"snapshot":true}`). */
export function isSnapshotMarker(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { snapshot?: unknown }).snapshot === true;
}
