import { ConfigError } from './config-error.js';
import type { PipelineConfig } from './pipeline-config.js';
import { matchesStreamPattern } from './stream-pattern.js';
import { withStreams } from './with-streams.js';

/**
 * `rapidbyte run --streams a,b`: the config with only the streams `selection` names (names or
 * patterns; a bare name means `public`), in config order. A name that selects no stream is a
 * {@link ConfigError} listing the streams there are.
 */
export function selectStreams(config: PipelineConfig, selection: readonly string[]): PipelineConfig {
  const wanted = selection.map((s) => s.trim()).filter((s) => s !== '');
  const names = config.source.streams.map((s) => s.name);
  const unknown = wanted.filter((w) => !names.some((n) => matchesStreamPattern(w, n)));
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map((w) => ({
        file: config.file,
        path: '',
        message: `--streams: '${w}' selects no stream (streams: ${names.join(', ')})`,
      })),
    );
  }
  return withStreams(
    config,
    config.source.streams.filter((s) => wanted.some((w) => matchesStreamPattern(w, s.name))),
  );
}
