import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Catalog } from '@rapidbyte/sdk/contract';
import { describe, expect, it } from 'vitest';
import { expandStreamPatterns } from '../orchestrator/expand-stream-patterns.js';
import { ConfigError } from './config-error.js';
import { assertDistinctDestinationTables, destinationTableCollisions } from './destination-table-collisions.js';
import { destinationTableOf } from './destination-table-name.js';
import { loadPipelineConfig } from './load-pipeline-config.js';
import type { StreamConfig } from './pipeline-config.js';

const resolveConnector = (): { configSchema: object } => ({ configSchema: { type: 'object' } });

function load(streams: string, destination = '') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-collisions-'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    `version: "1.0"
pipeline: collisions
source:
  use: source-postgres
  streams:
${streams}
destination:
  use: dest-postgres
${destination}
`,
  );
  return loadPipelineConfig(file, { env: {}, resolveConnector });
}

function issues(streams: string, destination = ''): string[] {
  try {
    load(streams, destination);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.line ?? '-'} ${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

const stream = (name: string, extra: Partial<StreamConfig> = {}): StreamConfig => ({
  name,
  syncMode: 'full_refresh',
  writeMode: 'upsert',
  ...extra,
});

const catalog = (...names: string[]): Catalog =>
  ({ streams: names.map((name) => ({ name, columns: [], primaryKey: [] })) }) as unknown as Catalog;

describe('destinationTableOf', () => {
  it('is destination_table, else the source table, cut to what Postgres stores', () => {
    expect(destinationTableOf(stream('a.items'))).toEqual({ requested: 'items', table: 'items' });
    expect(destinationTableOf(stream('a.items', { destinationTable: 'a_items' }))).toEqual({
      requested: 'a_items',
      table: 'a_items',
    });
    const long = `pre_${'ü'.repeat(30)}`;
    expect(destinationTableOf(stream('x', { destinationTable: long }))).toEqual({
      requested: long,
      table: `pre_${'ü'.repeat(29)}`,
    });
  });
});

describe('destinationTableCollisions', () => {
  it('finds two streams of one source table name in two schemas, and names the fix', () => {
    const [c] = destinationTableCollisions([stream('a.items'), stream('b.items'), stream('a.other')]);
    expect(c?.table).toBe('items');
    expect(c?.streams.map((s) => s.name)).toEqual(['a.items', 'b.items']);
    expect(c?.message).toBe(
      "streams 'a.items' and 'b.items' both load into destination table 'items'; one stream's rows would overwrite the other's by key. " +
        'Give each its own table: destination.table_prefix by source schema (table_prefix: { a: a_, b: b_ }), or destination_table on each stream ' +
        "(a pattern's table can be listed by name). Two streams share a table only as a deliberate union: the same destination_table on each, with write_mode append",
    );
  });

  it('allows the same explicit destination_table when every stream appends (a deliberate union)', () => {
    const union = (writeMode: StreamConfig['writeMode'], explicit = true) =>
      ['a.items', 'b.items'].map((n) =>
        stream(n, { writeMode, destinationTable: 'all_items', ...(explicit && { destinationTableExplicit: true }) }),
      );
    expect(destinationTableCollisions(union('append'))).toEqual([]);
    expect(destinationTableCollisions(union('upsert'))).toHaveLength(1);
    expect(destinationTableCollisions(union('replace'))[0]?.message).toContain(
      "each replace would swap the other's rows away",
    );
    // the same name reached through table_prefix is an accident, not a union
    expect(destinationTableCollisions(union('append', false))[0]?.message).toContain(
      'their rows would be mixed in one table',
    );
    // two different long explicit names that Postgres cuts alike are an accident too
    const long = (suffix: string) =>
      stream(`s${suffix}.t`, {
        writeMode: 'append',
        destinationTable: `${'y'.repeat(63)}${suffix}`,
        destinationTableExplicit: true,
      });
    expect(destinationTableCollisions([long('1'), long('2')])[0]?.message).toContain('longer than 63 bytes');
    // one explicit, one not
    expect(
      destinationTableCollisions([
        stream('a.x', { writeMode: 'append', destinationTable: 'x', destinationTableExplicit: true }),
        stream('b.x', { writeMode: 'append' }),
      ]),
    ).toHaveLength(1);
  });

  it('compares the names Postgres keeps: two names cut at 63 bytes onto one collide', () => {
    const base = 'x'.repeat(55);
    const [c] = destinationTableCollisions([
      stream(`public.${base}_2024`, { destinationTable: `warehouse_${base}_2024` }),
      stream(`public.${base}_2025`, { destinationTable: `warehouse_${base}_2025` }),
    ]);
    expect(c?.table).toBe(`warehouse_${base}`.slice(0, 63));
    expect(c?.message).toContain('are longer than 63 bytes; Postgres keeps only the first 63 bytes of a name');
    expect(c?.message).toContain('a shorter destination.table_prefix');
  });

  it('lists three streams and skips unexpanded patterns', () => {
    const [c] = destinationTableCollisions([stream('a.t'), stream('b.t'), stream('c.t'), stream('*.t')]);
    expect(c?.message).toMatch(/^streams 'a.t', 'b.t' and 'c.t' all load into destination table 't'/);
    expect(destinationTableCollisions([stream('*.t'), stream('a.t')])).toEqual([]);
  });
});

describe('collisions in pipeline.yaml', () => {
  it('refuses named streams when the file is loaded, at the second stream', () => {
    const found = issues(
      '    - { name: a.items, sync_mode: full_refresh }\n    - { name: b.items, sync_mode: full_refresh }',
      '  write_mode: upsert',
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^7 source\.streams\[1\]\.name: streams 'a\.items' and 'b\.items' both load into destination table 'items'/,
    );
  });

  it('accepts a table_prefix map by schema and a deliberate union', () => {
    expect(() =>
      load(
        '    - { name: a.items, sync_mode: full_refresh }\n    - { name: b.items, sync_mode: full_refresh }',
        '  table_prefix: { a: a_, b: b_ }',
      ),
    ).not.toThrow();
    expect(() =>
      load(
        '    - { name: a.items, sync_mode: full_refresh, destination_table: all }\n    - { name: b.items, sync_mode: full_refresh, destination_table: all }',
        '  write_mode: append',
      ),
    ).not.toThrow();
  });

  it('refuses a stream loading into the dead-letter table', () => {
    const found = issues(
      '    - { name: public.rejects, sync_mode: full_refresh }',
      '  on_data_error: dlq\n  dlq: { table: rejects }',
    );
    expect(found.join('\n')).toContain(
      "destination.dlq.table: stream 'public.rejects' loads into destination table 'rejects', which is also destination.dlq.table",
    );
  });

  it('refuses a pattern once expanded against the catalog', () => {
    const config = load('    - { name: "*.items", sync_mode: full_refresh }', '  write_mode: upsert');
    const expanded = expandStreamPatterns(config, catalog('a.items', 'b.items'));
    expect(() => assertDistinctDestinationTables(expanded)).toThrow(
      /streams 'a.items' and 'b.items' both load into destination table 'items'/,
    );
    const prefixed = load('    - { name: "*.items", sync_mode: full_refresh }', '  table_prefix: { a: a_, b: b_ }');
    expect(() =>
      assertDistinctDestinationTables(expandStreamPatterns(prefixed, catalog('a.items', 'b.items'))),
    ).not.toThrow();
  });
});
