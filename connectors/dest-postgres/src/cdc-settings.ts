import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';

/** `config.cdc` of dest-postgres: how CDC streams are applied (validated against config-schema.json). */
export interface CdcConfig {
  /** Deletes and truncates set `_rb_deleted_at` instead of removing rows (`upsert` only). */
  readonly soft_delete?: boolean;
  /** Every row written gets `_rb_synced_at = now()` (the destination transaction's time). */
  readonly synced_at?: boolean;
}

/** `config.cdc` with defaults applied. */
export interface CdcSettings {
  readonly softDelete: boolean;
  readonly syncedAt: boolean;
}

/** Column a soft delete sets (NULL while the row is live). */
export const DELETED_AT_COLUMN = '_rb_deleted_at';
/** Column set to the load time of each row written. */
export const SYNCED_AT_COLUMN = '_rb_synced_at';

export function cdcSettings(config: CdcConfig | undefined): CdcSettings {
  return { softDelete: config?.soft_delete === true, syncedAt: config?.synced_at === true };
}

/** The bookkeeping columns the settings add to a target, with their SQL definitions. */
export function cdcExtraColumns(
  settings: CdcSettings,
  writeMode: 'upsert' | 'append',
): { readonly name: string; readonly definition: string }[] {
  const columns: { name: string; definition: string }[] = [];
  if (settings.softDelete && writeMode === 'upsert')
    columns.push({ name: DELETED_AT_COLUMN, definition: 'timestamptz' });
  // the default fills it where rows are COPYed straight in (snapshot, append)
  if (settings.syncedAt) columns.push({ name: SYNCED_AT_COLUMN, definition: 'timestamptz DEFAULT now()' });
  return columns;
}

/**
 * `ALTER TABLE "s"."t" ADD COLUMN IF NOT EXISTS ...` for the bookkeeping columns the target lacks
 * (`existing`: its column names); undefined when it has them all (no lock taken then).
 */
export function addCdcColumnsDdl(
  schema: string,
  table: string,
  settings: CdcSettings,
  writeMode: 'upsert' | 'append',
  existing: readonly string[],
): string | undefined {
  const have = new Set(existing);
  const missing = cdcExtraColumns(settings, writeMode).filter((c) => !have.has(c.name));
  if (missing.length === 0) return undefined;
  const adds = missing.map((c) => `ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${c.definition}`);
  return `ALTER TABLE ${quoteQualified(schema, table)} ${adds.join(', ')}`;
}
