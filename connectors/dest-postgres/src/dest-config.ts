import type { SslMode } from '@rapidbyte/sdk';

/** The SSL modes `config.sslmode` accepts (the same list as config-schema.json). */
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-full'] as const satisfies readonly SslMode[];

/** The `sslmode` used when neither the config nor the URL sets one. */
export const DEFAULT_SSL_MODE: SslMode = 'prefer';

export const DEFAULT_PORT = 5432;
export const DEFAULT_SCHEMA = 'public';
export const DEFAULT_LOCK_TIMEOUT_MS = 5000;
export const DEFAULT_SWAP_RETRIES = 5;

/**
 * How to reach the database: either `url` (postgres:// or postgresql://) or `host`, `user` and
 * `database` (config-schema.json enforces exactly one of the two). `password` may accompany a URL
 * so the secret can live in its own variable; it wins over a password in the URL.
 */
export interface ConnectionConfig {
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  /** Secret: never logged, never put into error messages. */
  readonly password?: string;
  readonly database?: string;
  readonly sslmode?: SslMode;
}

/** `config` of dest-postgres (validated by the engine against config-schema.json). */
export interface DestConfig extends ConnectionConfig {
  /** Schema the tables are loaded into (created if missing). */
  readonly schema?: string;
  /** `lock_timeout` while `replace` swaps the staging table in. */
  readonly lock_timeout_ms?: number;
  /** How often `replace` retries the swap after a lock timeout. */
  readonly swap_retries?: number;
}

/** The destination settings with defaults applied. */
export interface DestSettings {
  readonly schema: string;
  readonly lockTimeoutMs: number;
  readonly swapRetries: number;
}

export function destSettings(config: DestConfig): DestSettings {
  return {
    schema: config.schema ?? DEFAULT_SCHEMA,
    lockTimeoutMs: nonNegativeInt(config.lock_timeout_ms, DEFAULT_LOCK_TIMEOUT_MS),
    swapRetries: nonNegativeInt(config.swap_retries, DEFAULT_SWAP_RETRIES),
  };
}

function nonNegativeInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}
