/** A replication slot name Postgres accepts: lower-case letters, digits and underscores, ≤ 63 bytes. */
export const SLOT_NAME_PATTERN = /^[a-z0-9_]{1,63}$/;

/** `[a-z0-9_]` only, at most 63 bytes: what a slot name derived from a pipeline name becomes. */
export function sanitizeSlotName(text: string): string {
  const clean = text.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return clean.slice(0, 63) || 'rapidbyte';
}

/** The `cdc` block of the source config. */
export interface CdcConfig {
  readonly slot_name?: string;
  readonly publication_name?: string;
  /** How long creating the slot may wait for open source transactions (ms); default in the host. */
  readonly slot_create_timeout_ms?: number;
}

/** Slot and publication of a pipeline's source: configured, else `rapidbyte_<pipeline>` sanitised. */
export function cdcNames(config: CdcConfig | undefined, pipeline: string): { slot: string; publication: string } {
  const fallback = sanitizeSlotName(`rapidbyte_${pipeline}`);
  return { slot: config?.slot_name ?? fallback, publication: config?.publication_name ?? fallback };
}
