import { dirname } from 'node:path';
import type { StreamContext } from '@rapidbyte/sdk/contract';
import type { ConnectorRef, PipelineConfig } from '../config/index.js';
import type { ComponentModules } from '../runtime/component-modules.js';
import { capabilityPolicyOf } from './capability-policy-of.js';
import type { StageTask, StreamTask } from './stream-task.js';

/** The compiled components of a pipeline's chain (no destination in a dry run). */
export interface ChainComponents {
  readonly source: ComponentModules;
  readonly destination: ComponentModules | undefined;
  readonly transforms: readonly ComponentModules[];
}

/**
 * The first attempt's task of one stream of `config` (what a worker thread runs): its stages with
 * their configs and capability policies, and the run's resources. `extra` adds the run's switches,
 * faults and dry-run settings. The same on every machine of a cluster: a worker builds it from
 * its own copy of the config and components.
 */
export function streamTaskOf(
  config: PipelineConfig,
  stream: StreamContext,
  runId: number,
  components: ChainComponents,
  extra: Partial<StreamTask> = {},
): StreamTask {
  const stage = (
    role: StageTask['role'],
    component: ComponentModules | undefined,
    ref: ConnectorRef,
    at: string = role,
  ): StageTask => ({
    role,
    // a dry run's destination stage is never instantiated (the worker's sink stands in for it)
    component: component ?? { connector: ref.use, bindingsUrl: '', modules: {} },
    configJson: JSON.stringify(ref.config),
    policy: capabilityPolicyOf(ref, at, dirname(config.file)),
    state: {},
  });
  return {
    pipeline: config.pipeline,
    runId,
    stream,
    source: stage('source', components.source, config.source),
    transforms: config.transforms.map((t, i) =>
      stage('transform', components.transforms[i] as ComponentModules, t, `transforms[${i}]`),
    ),
    destination: stage('destination', components.destination, config.destination),
    resources: {
      batchRows: config.resources.batchRows,
      maxBatchBytes: config.resources.maxBatchBytes,
      checkpointIntervalRows: config.resources.checkpointIntervalRows,
      checkpointIntervalBytes: config.resources.checkpointIntervalBytes,
      connectorMemoryBytes: config.resources.connectorMemoryBytes,
      connectorStepTimeoutMs: config.resources.connectorStepTimeoutMs,
      stallTimeoutMs: config.resources.stallTimeoutMs,
    },
    onDataError: config.destination.onDataError,
    channelCapacity: 4,
    attempt: 1,
    storedResume: undefined,
    ignoreWatermark: false,
    ...extra,
  };
}
