/** @rapidbyte/engine: config, orchestrator, runtime (component host), state. */
export * from './config/index.js';
export * from './state/index.js';
export { runPipeline, resolveParallelism, ConnectorUnavailable } from './orchestrator/run-pipeline.js';
export type { RunOptions, RunPools } from './orchestrator/run-pipeline.js';
export { WarmEngine, WARM_ENGINE_IDLE_MS } from './orchestrator/warm-engine.js';
export type { WarmEngineOptions, WarmRunOptions } from './orchestrator/warm-engine.js';
export type { RunResult, StreamResult, StreamFailure } from './orchestrator/run-result.js';
export type { RunEvent, RunEventListener } from './orchestrator/run-event.js';
export { checkPipeline, runConnectorOperation } from './orchestrator/check-pipeline.js';
export { ConnectorRegistry } from './runtime/connector-registry.js';
export { classifyError } from './errors/classify-error.js';
export * from './schedule/index.js';
export * from './events/index.js';
export * from './project/index.js';
