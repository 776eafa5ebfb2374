import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadPipelineConfig } from './load-pipeline-config.js';
import type { PipelineConfig } from './pipeline-config.js';

const resolveConnector = (): { configSchema: object } => ({ configSchema: { type: 'object' } });

function load(resources: string): PipelineConfig {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-stall-'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    `version: "1.0"
pipeline: stall
source:
  use: source-postgres
  streams:
    - { name: public.a, sync_mode: cdc }
destination:
  use: dest-postgres
  write_mode: upsert
resources: { ${resources} }
`,
  );
  return loadPipelineConfig(file, { env: {}, resolveConnector });
}

function issues(resources: string): string {
  try {
    load(resources);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`).join('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('resources.stall_timeout', () => {
  it('defaults to 60 s', () => {
    expect(load('').resources.stallTimeoutMs).toBe(60_000);
  });

  it('reads durations like the other durations of the config', () => {
    expect(load('stall_timeout: 30s').resources.stallTimeoutMs).toBe(30_000);
    expect(load('stall_timeout: 2m').resources.stallTimeoutMs).toBe(120_000);
    expect(load('stall_timeout: 1500ms').resources.stallTimeoutMs).toBe(1_500);
    expect(load('stall_timeout: 45').resources.stallTimeoutMs).toBe(45_000);
  });

  it.each(['0s', '-3s', 'forever', '3 days', '0'])(
    'refuses stall_timeout %s naming the key and the expected form',
    (bad) => {
      expect(issues(`stall_timeout: ${JSON.stringify(bad)}`)).toMatch(
        /resources\.stall_timeout.*(stall_timeout must be a positive duration like '60s', '30s' or '2m'|a positive number of seconds or a duration like '60s', '30s' or '2m')/s,
      );
    },
  );

  it('refuses a number of seconds that is not positive', () => {
    expect(issues('stall_timeout: 0')).toMatch(/stall_timeout/);
    expect(issues('stall_timeout: -5')).toMatch(/stall_timeout/);
  });
});
