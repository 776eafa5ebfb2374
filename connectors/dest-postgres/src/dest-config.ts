import { DEFAULT_SCHEMA, type ConnectionConfig } from '@rapidbyte/sdk/postgres';
import { cdcSettings, type CdcConfig, type CdcSettings } from './cdc-settings.js';

const DEFAULT_LOCK_TIMEOUT_MS = 5000;
const DEFAULT_SWAP_RETRIES = 5;

/** `config` of dest-postgres (validated by the engine against config-schema.json). */
export interface DestConfig extends ConnectionConfig {
  /** Schema the tables are loaded into (created if missing). */
  readonly schema?: string;
  /** `lock_timeout` while `replace` swaps the staging table in. */
  readonly lock_timeout_ms?: number;
  /** How often `replace` retries the swap after a lock timeout. */
  readonly swap_retries?: number;
  /** How CDC streams are applied: soft deletes, a load-time column. */
  readonly cdc?: CdcConfig;
  /** Load tables the run creates (and `replace`'s staging table) without indexes; build them at the end. */
  readonly defer_indexes?: boolean;
  /** `COPY … FREEZE` into a table created in the same transaction (`replace`'s staging table). */
  readonly copy_freeze?: boolean;
}

/** The destination settings with defaults applied. */
export interface DestSettings {
  readonly schema: string;
  readonly lockTimeoutMs: number;
  readonly swapRetries: number;
  readonly cdc: CdcSettings;
  readonly deferIndexes: boolean;
  readonly copyFreeze: boolean;
}

export function destSettings(config: DestConfig): DestSettings {
  return {
    schema: config.schema ?? DEFAULT_SCHEMA,
    lockTimeoutMs: nonNegativeInt(config.lock_timeout_ms, DEFAULT_LOCK_TIMEOUT_MS),
    swapRetries: nonNegativeInt(config.swap_retries, DEFAULT_SWAP_RETRIES),
    cdc: cdcSettings(config.cdc),
    deferIndexes: config.defer_indexes !== false,
    copyFreeze: config.copy_freeze !== false,
  };
}

function nonNegativeInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}
