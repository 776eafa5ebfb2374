import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamContext } from '../orchestrator/stream-context.js';
import { ConfigError } from './config-error.js';
import { loadPipelineConfig } from './load-pipeline-config.js';

const resolveConnector = (): { configSchema: object } => ({ configSchema: { type: 'object' } });

function load(stream: string, destination = '') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-shards-'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    `version: "1.0"
pipeline: shards
source:
  use: source-postgres
  streams:
    - { name: public.a, sync_mode: full_refresh${stream} }
destination:
  use: dest-postgres
${destination}
`,
  );
  return loadPipelineConfig(file, { env: {}, resolveConnector });
}

function issues(stream: string, destination = ''): string[] {
  try {
    load(stream, destination);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('streams[].shards', () => {
  it('reads a count or auto; absent stays absent', () => {
    expect(load(', shards: 3').source.streams[0]?.shards).toBe(3);
    expect(load(', shards: auto').source.streams[0]?.shards).toBe('auto');
    expect(load('').source.streams[0]?.shards).toBeUndefined();
  });

  it('refuses zero, negative and other words, naming the key', () => {
    for (const bad of ['0', '-2', 'many', '1.5']) {
      const found = issues(`, shards: ${bad}`);
      expect(found.join('\n'), bad).toMatch(/shards/);
    }
  });
});

describe('destination.dlq.table', () => {
  it('reaches the destination config and every stream context', () => {
    const config = load('', '  dlq: { table: rejected_rows }');
    expect(config.destination.dlqTable).toBe('rejected_rows');
    expect(streamContext(config.source.streams[0]!).dlqTable).toBe('rejected_rows');
  });

  it('is absent without dlq, and dlq needs a table', () => {
    expect(streamContext(load('').source.streams[0]!).dlqTable).toBeUndefined();
    expect(issues('', '  dlq: { }').join('\n')).toMatch(/table/);
    expect(issues('', '  dlq: { table: x, schema: y }').join('\n')).toMatch(/schema/);
  });
});
