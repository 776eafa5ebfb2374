import pg from 'pg';
import type { PgConnectOptions, SslMode } from '@rapidbyte/sdk/contract';

function sslOption(mode: SslMode): pg.ClientConfig['ssl'] {
  if (mode === 'disable') return false;
  if (mode === 'verify-full') return { rejectUnauthorized: true };
  return { rejectUnauthorized: false };
}

/**
 * Servers (`host:port`) that refused TLS to an `sslmode=prefer` connection of this thread: the
 * next `prefer` connection to them goes plain at once instead of asking for TLS again (a source
 * and a destination on one server connect twice each otherwise: ~one round trip and a socket per
 * connection). A server that later offers TLS gets it from the next thread or process.
 */
const refusedTls = new Set<string>();

/** What {@link connectPgClient} takes besides the guest's connect options. */
export interface ConnectPgClientExtra {
  readonly replication?: 'database';
  readonly options?: string;
  /** Remember a server's TLS refusal for later `prefer` connections of this thread (default true). */
  readonly rememberTlsRefusal?: boolean;
}

/**
 * Opens a node-postgres client for a guest's connect options (`sslmode=prefer` falls back to a
 * plain connection when the server has no TLS). `replication: 'database'` opens a walsender
 * connection for logical replication; `options` are startup options (`-c name=value …`). Callers check `allowed_hosts` first.
 */
export async function connectPgClient(options: PgConnectOptions, extra: ConnectPgClientExtra = {}): Promise<pg.Client> {
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
  const server = `${options.host}:${options.port}`;
  const remember = options.sslMode === 'prefer' && extra.rememberTlsRefusal !== false;
  if (remember && refusedTls.has(server)) {
    const plain = new pg.Client({ ...base, ssl: false });
    await plain.connect();
    return plain;
  }
  let client = new pg.Client({ ...base, ssl: sslOption(options.sslMode) });
  try {
    await client.connect();
  } catch (error) {
    if (options.sslMode !== 'prefer' || !/does not support SSL/i.test((error as Error).message)) throw error;
    if (remember) refusedTls.add(server);
    client = new pg.Client({ ...base, ssl: false });
    await client.connect();
  }
  return client;
}
