import pg from 'pg';
import type { PgConnectOptions, SslMode } from '@rapidbyte/sdk/contract';

function sslOption(mode: SslMode): pg.ClientConfig['ssl'] {
  if (mode === 'disable') return false;
  if (mode === 'verify-full') return { rejectUnauthorized: true };
  return { rejectUnauthorized: false };
}

/**
 * Opens a node-postgres client for a guest's connect options (`sslmode=prefer` falls back to a
 * plain connection when the server has no TLS). `replication: 'database'` opens a walsender
 * connection for logical replication; `options` are startup options (`-c name=value …`). Callers check `allowed_hosts` first.
 */
export async function connectPgClient(options: PgConnectOptions, extra: { readonly replication?: 'database'; readonly options?: string } = {}): Promise<pg.Client> {
  const base: pg.ClientConfig & { replication?: string; options?: string } = {
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    database: options.database,
    application_name: options.applicationName || 'rapidbyte',
    connectionTimeoutMillis: 30_000,
    keepAlive: true,
    ...(extra.replication ? { replication: extra.replication } : {}),
    ...(extra.options ? { options: extra.options } : {}),
  };
  let client = new pg.Client({ ...base, ssl: sslOption(options.sslMode) });
  try {
    await client.connect();
  } catch (error) {
    if (options.sslMode !== 'prefer' || !/does not support SSL/i.test((error as Error).message)) throw error;
    client = new pg.Client({ ...base, ssl: false });
    await client.connect();
  }
  return client;
}
