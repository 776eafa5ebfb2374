import { dirname, resolve } from 'node:path';
import { loadPipelineConfig, type PipelineConfig } from '../config/index.js';
import { ConnectorRegistry } from '../runtime/connector-registry.js';

/** A pipeline file loaded and validated, with the registry that resolves its connectors. */
export function loadPipeline(file: string): { config: PipelineConfig; registry: ConnectorRegistry } {
  const path = resolve(file);
  const registry = new ConnectorRegistry(dirname(path));
  const config = loadPipelineConfig(path, {
    env: process.env,
    resolveConnector: (use) => {
      const found = registry.resolve(use);
      return found ? { configSchema: found.configSchema, endpointFields: found.manifest.endpointFields } : undefined;
    },
  });
  return { config, registry };
}
