import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadPipelineConfig } from './load-pipeline-config.js';

const resolveConnector = (): { configSchema: object } => ({ configSchema: { type: 'object' } });

function yaml(streams: string, destination = ''): string {
  return `version: "1.0"
pipeline: patterns
source:
  use: source-postgres
  streams:
${streams}
destination:
  use: dest-postgres
${destination}
`;
}

function load(text: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-patterns-'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(file, text);
  return loadPipelineConfig(file, { env: {}, resolveConnector });
}

function messages(text: string): string[] {
  try {
    load(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('stream patterns and table_prefix in pipeline.yaml', () => {
  it('keeps a pattern stream with its exclude list for the engine to expand', () => {
    const config = load(
      yaml('    - { name: "public.*", exclude: [public.tmp_*, public.audit], sync_mode: full_refresh }'),
    );
    expect(config.source.streams[0]).toMatchObject({
      name: 'public.*',
      exclude: ['public.tmp_*', 'public.audit'],
      syncMode: 'full_refresh',
    });
    expect(config.source.streams[0]?.destinationTable).toBeUndefined();
  });

  it('table_prefix names the destination table of streams without destination_table', () => {
    const config = load(
      yaml(
        '    - { name: public.users, sync_mode: full_refresh }\n    - { name: orders, sync_mode: full_refresh, destination_table: o }',
        '  table_prefix: raw_',
      ),
    );
    expect(config.destination.tablePrefix).toBe('raw_');
    expect(config.source.streams.map((s) => s.destinationTable)).toEqual(['raw_users', 'o']);
  });

  it('a table_prefix map chooses by source schema', () => {
    const config = load(
      yaml(
        '    - { name: public.users, sync_mode: full_refresh }\n    - { name: sales.users, sync_mode: full_refresh }',
        '  table_prefix: { public: "", sales: sales_ }',
      ),
    );
    expect(config.source.streams.map((s) => s.destinationTable)).toEqual([undefined, 'sales_users']);
  });

  it('rejects exclude without a pattern, destination_table with one, and a non-string prefix', () => {
    expect(messages(yaml('    - { name: public.users, exclude: [x], sync_mode: full_refresh }'))).toContainEqual(
      "source.streams[0].exclude: stream 'public.users': exclude needs a pattern name (like 'public.*')",
    );
    expect(messages(yaml('    - { name: "public.*", destination_table: t, sync_mode: full_refresh }'))).toContainEqual(
      expect.stringMatching(
        /^source\.streams\[0\]\.destination_table: stream 'public\.\*': a pattern selects many tables/,
      ),
    );
    expect(messages(yaml('    - { name: users, sync_mode: full_refresh }', '  table_prefix: 3'))).toContainEqual(
      expect.stringMatching(/^destination\.table_prefix: /),
    );
  });
});
