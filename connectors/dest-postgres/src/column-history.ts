import type { FrameSchema } from '@rapidbyte/sdk';
import { COLUMN_FILL_METADATA, RENAMED_COLUMNS_METADATA } from '@rapidbyte/sdk/frames';

/** What rows that existed before a column was added hold there: one constant, or values the destination cannot know. */
export type ExistingRowsFill = { readonly value: string } | { readonly unknown: true };

/** What the source knows of its columns' history that the frames' fields alone do not show. */
export interface ColumnHistory {
  /** new name -> old name */
  readonly renamed: ReadonlyMap<string, string>;
  readonly fill: ReadonlyMap<string, ExistingRowsFill>;
}

export const NO_HISTORY: ColumnHistory = { renamed: new Map(), fill: new Map() };

/** The column history a frame's schema metadata carries (malformed entries are ignored). */
export function columnHistoryOf(schema: FrameSchema | undefined): ColumnHistory {
  const renamed = new Map<string, string>();
  const fill = new Map<string, ExistingRowsFill>();
  for (const [neu, old] of Object.entries(parseObject(schema?.metadata?.[RENAMED_COLUMNS_METADATA]))) {
    if (typeof old === 'string' && old !== neu) renamed.set(neu, old);
  }
  for (const [column, entry] of Object.entries(parseObject(schema?.metadata?.[COLUMN_FILL_METADATA]))) {
    const e = entry as { value?: unknown; unknown?: unknown } | null;
    if (typeof e?.value === 'string') fill.set(column, { value: e.value });
    else if (e?.unknown === true) fill.set(column, { unknown: true });
  }
  return { renamed, fill };
}

function parseObject(raw: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
