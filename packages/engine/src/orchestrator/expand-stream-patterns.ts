import type { Catalog } from '@rapidbyte/sdk/contract';
import {
  assertDistinctDestinationTables,
  ConfigError,
  isStreamPattern,
  matchesStreamPattern,
  prefixedTableName,
  qualifiedStreamName,
  withStreams,
  type PipelineConfig,
  type StreamConfig,
} from '../config/index.js';
import type { ConnectorRegistry } from '../runtime/connector-registry.js';

/** What expansion reads of a catalog: the relations' names, in catalog order. */
export interface StreamNames {
  readonly streams: readonly { readonly name: string }[];
}

/**
 * Replaces every pattern stream (`name: public.*`, with `exclude:`) by one stream per catalog
 * relation it selects, in catalog order, each with the pattern's settings and the destination
 * table from `destination.table_prefix`. A table also listed by name keeps its own entry; a
 * table two patterns select belongs to the first. A pattern that selects nothing is a
 * {@link ConfigError} unless `requireMatches` is false (the state commands expand against the
 * streams the state DB holds, where a pattern that never ran has none). Pure: the catalog is given.
 */
export function expandStreamPatterns(
  config: PipelineConfig,
  catalog: Pick<Catalog, 'streams'> | StreamNames,
  options: { requireMatches?: boolean } = {},
): PipelineConfig {
  const streams = config.source.streams;
  if (!streams.some((s) => isStreamPattern(s.name))) return config;
  const taken = new Set(streams.filter((s) => !isStreamPattern(s.name)).map((s) => qualifiedStreamName(s.name)));
  const expanded: StreamConfig[] = [];
  const empty: string[] = [];
  for (const stream of streams) {
    if (!isStreamPattern(stream.name)) {
      expanded.push(stream);
      continue;
    }
    const matches = catalog.streams
      .map((c) => c.name)
      .filter(
        (name) =>
          matchesStreamPattern(stream.name, name) && !(stream.exclude ?? []).some((x) => matchesStreamPattern(x, name)),
      );
    if (matches.length === 0) empty.push(stream.name);
    for (const name of matches.filter((n) => !taken.has(qualifiedStreamName(n)))) {
      taken.add(qualifiedStreamName(name));
      const { exclude: _exclude, ...settings } = stream;
      const destinationTable = prefixedTableName(name, config.destination.tablePrefix);
      expanded.push({ ...settings, name, ...(destinationTable !== undefined && { destinationTable }) });
    }
  }
  if (empty.length > 0 && options.requireMatches !== false) {
    throw new ConfigError(
      empty.map((p) => ({
        file: config.file,
        path: 'source.streams',
        message: `pattern '${p}' selects no table of ${config.source.use} (after exclude)`,
      })),
    );
  }
  return withStreams(config, expanded);
}

/** True when the config has pattern streams, which need the source's catalog before a run. */
export function hasStreamPatterns(config: PipelineConfig): boolean {
  return config.source.streams.some((s) => isStreamPattern(s.name));
}

/**
 * Runs the source's `discover` when the config has pattern streams and expands them; else returns
 * `config`. Either way the streams must load into distinct destination tables (a
 * {@link ConfigError} names the ones that would share one), checked before any `--streams` subset.
 */
export async function expandPipelineStreams(
  config: PipelineConfig,
  registry: ConnectorRegistry,
): Promise<PipelineConfig> {
  if (!hasStreamPatterns(config)) {
    assertDistinctDestinationTables(config);
    return config;
  }
  // loaded only when a pattern needs the catalog (it brings the connector runtime into this thread)
  const { discoverPipeline } = await import('./discover-pipeline.js');
  const expanded = expandStreamPatterns(config, await discoverPipeline(config, registry));
  assertDistinctDestinationTables(expanded);
  return expanded;
}
