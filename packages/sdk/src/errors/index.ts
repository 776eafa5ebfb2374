/** The error vocabulary shared by the engine, the SDK and the connectors. */
export { ERROR_CODES, ERROR_CATEGORY_EXIT_CODES } from './error-codes.js';
export type { ErrorCode, ErrorCategory, ErrorCodeSpec } from './error-codes.js';
export { errorCodeInfo, isErrorCode } from './error-code-info.js';
export type { ErrorCodeInfo } from './error-code-info.js';
export { isSqlstate, sqlstateCode, sqlstateIsTransient, sqlstateCategory } from './sqlstate-code.js';
