import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadPipelineConfig } from './load-pipeline-config.js';
import { selectStreams } from './select-streams.js';

function load() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-select-'));
  const file = path.join(dir, 'pipeline.yaml');
  const streams = ['users', 'public.orders', 'sales.orders']
    .map((n) => `    - { name: ${n}, sync_mode: full_refresh }`)
    .join('\n');
  writeFileSync(
    file,
    `version: "1.0"\npipeline: sel\nsource:\n  use: src\n  streams:\n${streams}\ndestination:\n  use: dst\n  table_prefix: { sales: sales_ }\n`,
  );
  return loadPipelineConfig(file, { env: {}, resolveConnector: () => ({ configSchema: { type: 'object' } }) });
}

describe('selectStreams (--streams)', () => {
  it('keeps the named streams in config order; a bare name means public; patterns work', () => {
    const config = load();
    expect(selectStreams(config, ['public.orders', 'public.users']).source.streams.map((s) => s.name)).toEqual([
      'users',
      'public.orders',
    ]);
    expect(selectStreams(config, ['*.orders']).source.streams.map((s) => s.name)).toEqual([
      'public.orders',
      'sales.orders',
    ]);
    expect(config.source.streams).toHaveLength(3);
  });

  it('a name that selects nothing is a config error naming the streams there are', () => {
    expect(() => selectStreams(load(), ['users', 'nope'])).toThrow(ConfigError);
    expect(() => selectStreams(load(), ['nope'])).toThrow(
      /--streams: 'nope' selects no stream \(streams: users, public\.orders, sales\.orders\)/,
    );
  });
});
