/** @rapidbyte/engine: config, orchestrator, runtime (component host), state. */
export * from './config/index.js';
export * from './state/index.js';
export { runPipeline, resolveParallelism, ConnectorUnavailable } from './orchestrator/run-pipeline.js';
export type { RunOptions } from './orchestrator/run-pipeline.js';
export type { RunResult, StreamResult, StreamFailure } from './orchestrator/run-result.js';
export type { RunEvent, RunEventListener } from './orchestrator/run-event.js';
export { checkPipeline, runConnectorOperation } from './orchestrator/check-pipeline.js';
export { ConnectorRegistry } from './runtime/connector-registry.js';
export { StreamError } from './errors/stream-error.js';
export { classifyError } from './errors/classify-error.js';
export * from './schedule/index.js';
export * from './project/index.js';
