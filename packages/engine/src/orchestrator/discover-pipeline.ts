import { dirname } from 'node:path';
import type { Catalog } from '@rapidbyte/sdk/contract';
import type { PipelineConfig } from '../config/index.js';
import { classifyError } from '../errors/classify-error.js';
import type { ConnectorRegistry } from '../runtime/connector-registry.js';
import { SessionFailed } from '../runtime/run-session.js';
import { runConnectorOperation } from './check-pipeline.js';
import { DiscoverFailed } from './discover-failed.js';

export { DiscoverFailed } from './discover-failed.js';

/**
 * Runs the source's `discover` session in this thread (as `check` does) and returns its catalog:
 * every relation with its columns, types and primary key.
 */
export async function discoverPipeline(config: PipelineConfig, registry: ConnectorRegistry): Promise<Catalog> {
  let result: unknown;
  try {
    result = await runConnectorOperation(
      registry,
      config.source,
      'discover',
      { pipeline: config.pipeline },
      dirname(config.file),
    );
  } catch (error) {
    const wit = error instanceof SessionFailed ? error.error : classifyError(error);
    throw new DiscoverFailed(
      config.source.use,
      wit.code,
      `discover of ${config.source.use} failed: ${wit.code}: ${wit.message}`,
      { cause: error },
    );
  }
  const catalog = result as Catalog | null;
  if (!catalog || !Array.isArray(catalog.streams))
    throw new DiscoverFailed(config.source.use, 'NO_CATALOG', `${config.source.use} returned no catalog from discover`);
  return catalog;
}
