export { scaffoldConnector } from './scaffold-connector.js';
export type { ScaffoldOptions, ScaffoldResult } from './scaffold-connector.js';
export { registerScaffoldCommand } from './scaffold-command.js';
export { ScaffoldError, SCAFFOLD_ERROR_CODES } from './scaffold-error.js';
export type { ScaffoldErrorCode } from './scaffold-error.js';
export { SCAFFOLD_KINDS, CONNECTOR_NAME_PATTERN } from './scaffold-kinds.js';
export type { ScaffoldKind } from './scaffold-kinds.js';
