/**
 * `@rapidbyte/sdk/postgres`: guest-side helpers for connectors that talk to PostgreSQL through
 * the host's Postgres capability — connection config (url or fields, sslmode), identifier
 * quoting, SQLSTATE classes and error context. Pure functions only (usable in plain Node tests);
 * `openConnection` lives in `@rapidbyte/sdk` because it needs the host imports.
 */
export { SSL_MODES } from '../guest/wit-types.js';
export { DEFAULT_SSL_MODE, DEFAULT_PORT } from './connection-options.js';
export type { ConnectionConfig } from './connection-options.js';
export { parsePostgresUrl, parseConnectionConfig, truncateUtf8 } from './connection-config.js';
export type { PostgresUrl, ConfigProblem, Parsed } from './connection-config.js';
export { MAX_IDENTIFIER_BYTES, postgresIdentifier } from './postgres-identifier.js';
export { quoteIdent, quoteQualified, quoteLiteral } from './quote-ident.js';
export { arrayElementTypeName, unqualifiedTypeName } from './type-name-parts.js';
export { sqlstateKind } from './sqlstate-kind.js';
export type { SqlstateClass } from './sqlstate-kind.js';
export { withStreamContext } from './stream-error.js';
export { parseStreamName, formatStreamName, DEFAULT_SCHEMA } from './stream-name.js';
export type { StreamName } from './stream-name.js';
export { RELATION_COLUMNS_SQL, columnsFromRows } from './relation-columns.js';
export type { TextRow } from './relation-columns.js';
export { ConnectorError } from '../guest/connector-error.js';
