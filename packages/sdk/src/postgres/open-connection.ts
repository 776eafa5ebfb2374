import { ConnectorError } from '../guest/connector-error.js';
import { log } from '../guest/host.js';
import { pg, type Step } from '../guest/requests.js';
import { parseConnectionConfig } from './connection-config.js';
import type { ConnectionConfig } from './connection-options.js';

/**
 * Connects with the connector config. A bad config is a permanent `CONFIG_INVALID` naming the
 * key; the password never appears in messages.
 */
export function* openConnection(config: ConnectionConfig, applicationName: string): Step<number> {
  const parsed = parseConnectionConfig(config, applicationName);
  if (!parsed.ok) {
    throw ConnectorError.permanent('CONFIG_INVALID', `config.${parsed.key}: ${parsed.message}`);
  }
  const { ignoredParams, ...options } = parsed.value;
  if (ignoredParams.length > 0) log.warn(`url parameters ignored: ${ignoredParams.join(', ')}`);
  return yield* pg.connect(options);
}

/** Closes a connection on an error path; a failure to close must not hide the original error. */
export function* closeQuietly(conn: number | undefined): Step<void> {
  if (conn === undefined) return;
  try {
    yield* pg.close(conn);
  } catch {
    // the connection is already gone
  }
}
