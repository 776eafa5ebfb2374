export { buildConnector, readConfigSchema, WIT_DIR } from './build-connector.js';
export type { BuiltConnector } from './build-connector.js';
export { readConnectorManifest, undeclaredEndpointFields, CONNECTOR_ROLES } from './connector-manifest.js';
export type { ConnectorManifest, ConnectorRole } from './connector-manifest.js';
