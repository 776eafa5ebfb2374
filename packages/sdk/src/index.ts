/**
 * @rapidbyte/sdk — the guest-side API for connectors written in TypeScript.
 *
 * A connector module exports `connector = defineConnector({...})`; each operation is a generator
 * that yields host requests (`yield* pg.query(...)`) and returns its result. `rapidbyte-build`
 * turns the module into a WebAssembly component.
 */
export { defineConnector } from './guest/define-connector.js';
export type {
  ConnectorDefinition,
  ConnectorExports,
  OperationHandler,
  OperationInput,
} from './guest/define-connector.js';
export { ConnectorError, describeError, toWitError } from './guest/connector-error.js';
export type { ConnectorErrorDetails } from './guest/connector-error.js';
export * from './errors/index.js';
export { pg, nextFrame, net, fs, sleep, flushDeadLetters } from './guest/requests.js';
export type { Step, FrameItem } from './guest/requests.js';
export { log, metric, checkpoint, frames, state, deadLetter, isCancelled } from './guest/host.js';
export type { FilterRule, FilterOutcome, RowFailure } from './guest/host.js';
export * from './guest/session-context.js';
export * from './guest/wit-types.js';
export { openConnection, closeQuietly } from './postgres/open-connection.js';
export * from './frames/index.js';
