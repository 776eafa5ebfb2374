import { truncateUtf8 } from './connection-config.js';

/** Postgres keeps NAMEDATALEN - 1 = 63 bytes of an identifier and silently drops the rest. */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * The name Postgres stores for `name`: its first 63 UTF-8 bytes, cut on a character boundary
 * (the server does the same, so a longer name in SQL and this name address one table).
 */
export function postgresIdentifier(name: string): string {
  return truncateUtf8(name, MAX_IDENTIFIER_BYTES);
}
