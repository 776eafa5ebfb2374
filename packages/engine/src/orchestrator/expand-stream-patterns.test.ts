import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Catalog } from '@rapidbyte/sdk/contract';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadPipelineConfig, redactSecrets } from '../config/index.js';
import { expandStreamPatterns } from './expand-stream-patterns.js';

const catalog: Catalog = {
  streams: ['public.users', 'public.orders', 'public.tmp_1', 'public.tmp_2', 'sales.orders'].map((name) => ({
    name,
    kind: 'table',
    columns: [{ name: 'id', type: 'bigint', nullable: false }],
    primaryKey: ['id'],
  })),
};

function load(streams: string, destination = '') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-expand-'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    `version: "1.0"\npipeline: expand\nsource:\n  use: src\n  config: { password: "s3cret-value" }\n  streams:\n${streams}\ndestination:\n  use: dst\n${destination}\n`,
  );
  return loadPipelineConfig(file, { env: {}, resolveConnector: () => ({ configSchema: { type: 'object' } }) });
}

describe('expandStreamPatterns', () => {
  it('expands a pattern minus its excludes, in catalog order, with the pattern settings and the prefix', () => {
    const config = load(
      '    - { name: "public.*", exclude: ["public.tmp_*"], sync_mode: full_refresh, write_mode: replace }',
      '  table_prefix: raw_',
    );
    const out = expandStreamPatterns(config, catalog);
    expect(out.source.streams).toEqual([
      { name: 'public.users', syncMode: 'full_refresh', writeMode: 'replace', destinationTable: 'raw_users' },
      { name: 'public.orders', syncMode: 'full_refresh', writeMode: 'replace', destinationTable: 'raw_orders' },
    ]);
    expect(Object.isFrozen(out.source.streams[0])).toBe(true);
    expect(redactSecrets('pw s3cret-value', out)).toBe('pw ***');
  });

  it('an explicit stream keeps its settings; the first pattern wins a table', () => {
    const config = load(
      [
        '    - { name: "*.orders", sync_mode: full_refresh }',
        '    - { name: public.orders, sync_mode: full_refresh, destination_table: o }',
        '    - { name: "*", sync_mode: full_refresh }',
      ].join('\n'),
      '  table_prefix: { sales: s_ }',
    );
    const out = expandStreamPatterns(config, catalog);
    expect(out.source.streams.map((s) => [s.name, s.destinationTable])).toEqual([
      ['sales.orders', 's_orders'],
      ['public.orders', 'o'],
      ['public.users', undefined],
      ['public.tmp_1', undefined],
      ['public.tmp_2', undefined],
    ]);
  });

  it('a pattern that selects nothing is a config error; a config without patterns is returned as is', () => {
    const config = load('    - { name: "hr.*", sync_mode: full_refresh }');
    expect(() => expandStreamPatterns(config, catalog)).toThrow(ConfigError);
    expect(() => expandStreamPatterns(config, catalog)).toThrow(/pattern 'hr\.\*' selects no table/);
    const plain = load('    - { name: users, sync_mode: full_refresh }');
    expect(expandStreamPatterns(plain, catalog)).toBe(plain);
  });
});
