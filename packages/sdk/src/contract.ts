/**
 * The host/guest contract without any guest runtime: types and constants the engine imports.
 * (`@rapidbyte/sdk` itself imports the WIT host module and only works inside a component.)
 */
export * from './guest/wit-types.js';
export * from './guest/session-context.js';
export { ConnectorError, toWitError } from './guest/connector-error.js';
export * from './errors/index.js';
export { readConnectorManifest, CONNECTOR_ROLES } from './build/connector-manifest.js';
export type { ConnectorManifest, ConnectorRole } from './build/connector-manifest.js';
