import { deepFreeze } from './deep-freeze.js';
import { SECRET_VALUES, type PipelineConfig, type StreamConfig } from './pipeline-config.js';

/** A copy of `config` (secrets record included, deeply frozen) with `streams` as its source streams. */
export function withStreams(config: PipelineConfig, streams: readonly StreamConfig[]): PipelineConfig {
  const copy: PipelineConfig = {
    ...config,
    source: { ...config.source, streams: streams.map((s) => ({ ...s })) },
    [SECRET_VALUES]: config[SECRET_VALUES],
  };
  return deepFreeze(copy);
}
