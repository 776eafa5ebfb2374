import type { PipelineConfig } from '../config/index.js';
import type { ConnectorRegistry } from '../runtime/connector-registry.js';
import { runConnectorOperation } from './check-pipeline.js';
import { streamContext } from './stream-context.js';

/** What the source released after `state reset` (e.g. the replication slot of its CDC streams). */
export interface SourceResetReport {
  readonly droppedSlot: string | null;
}

/**
 * After `rapidbyte state reset`: lets the source release what it holds for the pipeline. Only a
 * whole-pipeline reset of a pipeline with CDC streams does anything (the slot is dropped, so the
 * source stops retaining WAL); a source without a `reset` operation is left alone.
 */
export async function resetSource(
  config: PipelineConfig,
  registry: ConnectorRegistry,
  scope: 'pipeline' | 'streams',
  streams: readonly string[],
): Promise<SourceResetReport> {
  const cdc = config.source.streams.filter(
    (s) => s.syncMode === 'cdc' && (scope === 'pipeline' || streams.includes(s.name)),
  );
  if (cdc.length === 0) return { droppedSlot: null };
  const report = (await runConnectorOperation(registry, config.source, 'reset', {
    pipeline: config.pipeline,
    streams: cdc.map((s) => streamContext(s)),
    resetScope: scope,
  })) as Partial<SourceResetReport> | null;
  return { droppedSlot: typeof report?.droppedSlot === 'string' ? report.droppedSlot : null };
}
