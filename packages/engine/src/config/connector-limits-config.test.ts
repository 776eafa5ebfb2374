import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadPipelineConfig } from './load-pipeline-config.js';
import type { PipelineConfig } from './pipeline-config.js';

const resolveConnector = (): { configSchema: object } => ({ configSchema: { type: 'object' } });

function load(resources: string): PipelineConfig {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-limits-'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    `version: "1.0"
pipeline: limits
source:
  use: source-postgres
  streams:
    - { name: public.a, sync_mode: full_refresh }
destination:
  use: dest-postgres
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

describe('resources.connector_memory and connector_step_timeout', () => {
  it('default to 512 MiB and 60 s', () => {
    const { resources } = load('');
    expect(resources.connectorMemoryBytes).toBe(512 * 1024 * 1024);
    expect(resources.connectorStepTimeoutMs).toBe(60_000);
  });

  it('read byte sizes and durations', () => {
    const { resources } = load('connector_memory: 64mb, connector_step_timeout: 3s');
    expect(resources.connectorMemoryBytes).toBe(64 * 1024 * 1024);
    expect(resources.connectorStepTimeoutMs).toBe(3_000);
    expect(load('connector_memory: 1048576, connector_step_timeout: 90').resources).toMatchObject({
      connectorMemoryBytes: 1_048_576,
      connectorStepTimeoutMs: 90_000,
    });
    expect(load('connector_step_timeout: 500ms').resources.connectorStepTimeoutMs).toBe(500);
  });

  it.each(['0mb', '-1mb', 'lots', '0'])('refuses connector_memory %s naming the key', (bad) => {
    expect(issues(`connector_memory: ${JSON.stringify(bad)}`)).toMatch(/connector_memory/);
  });

  it.each(['0s', '-3s', 'forever', '3 days'])('refuses connector_step_timeout %s naming the key', (bad) => {
    expect(issues(`connector_step_timeout: ${JSON.stringify(bad)}`)).toMatch(/connector_step_timeout/);
  });

  it('refuses a zero or negative number of seconds', () => {
    expect(issues('connector_step_timeout: 0')).toMatch(/connector_step_timeout/);
    expect(issues('connector_step_timeout: -1')).toMatch(/connector_step_timeout/);
  });
});
