import type { SslMode } from '../guest/wit-types.js';

/** The `sslmode` used when neither the config nor the URL sets one. */
export const DEFAULT_SSL_MODE: SslMode = 'prefer';

export const DEFAULT_PORT = 5432;

/**
 * How to reach a database: either `url` (postgres:// or postgresql://) or `host`, `user` and
 * `database` (a connector's config-schema.json enforces exactly one of the two). `password` may
 * accompany a URL so the secret can live in its own variable; it wins over a password in the URL.
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
