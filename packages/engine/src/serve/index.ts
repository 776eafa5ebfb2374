export * from './start-serve.js';
export * from './serve-options.js';
export * from './serve-event.js';
export * from './serve-error.js';
export * from './listen-address.js';
export * from './plan-tick.js';
export * from './plan-dependent.js';
export * from './tick-workflow-id.js';
export { OPENAPI_DOCUMENT } from './openapi.js';
