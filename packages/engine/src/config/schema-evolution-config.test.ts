import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamContext } from '../orchestrator/stream-context.js';
import { ConfigError } from './config-error.js';
import { loadPipelineConfig } from './load-pipeline-config.js';
import { DEFAULT_SCHEMA_EVOLUTION, isDefaultSchemaEvolution, mergeSchemaEvolution } from './schema-evolution.js';

const resolveConnector = (): { configSchema: object } => ({ configSchema: { type: 'object' } });

function yaml(streams: string, destination = ''): string {
  return `version: "1.0"
pipeline: evolution
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
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-evolution-'));
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

describe('schema_evolution per stream over the destination', () => {
  it('leaves the policy out of a stream that has the defaults', () => {
    const config = load(yaml('    - name: public.a\n      sync_mode: full_refresh'));
    expect(config.destination.schemaEvolution).toEqual(DEFAULT_SCHEMA_EVOLUTION);
    expect(config.source.streams[0]?.schemaEvolution).toBeUndefined(); // the destination applies the defaults without one
    expect(isDefaultSchemaEvolution(DEFAULT_SCHEMA_EVOLUTION)).toBe(true);
  });

  it('merges a stream key over the destination keys over the defaults', () => {
    const config = load(
      yaml(
        [
          '    - name: public.a',
          '      sync_mode: full_refresh',
          '      schema_evolution: { type_change: coerce, new_column: fail }',
          '    - name: public.b',
          '      sync_mode: incremental',
          '      cursor_field: updated_at',
        ].join('\n'),
        '  schema_evolution: { new_column: ignore, nullability_change: fail }',
      ),
    );
    expect(config.destination.schemaEvolution).toEqual({
      newColumn: 'ignore',
      removedColumn: 'ignore',
      typeChange: 'fail',
      nullabilityChange: 'fail',
    });
    expect(config.source.streams[0]?.schemaEvolution).toEqual({
      newColumn: 'fail',
      removedColumn: 'ignore',
      typeChange: 'coerce',
      nullabilityChange: 'fail',
    });
    expect(config.source.streams[1]?.schemaEvolution).toEqual(config.destination.schemaEvolution);
  });

  it('passes the effective policy to the session context of the stream', () => {
    const config = load(
      yaml('    - name: public.a\n      sync_mode: full_refresh\n      schema_evolution: { removed_column: fail }'),
    );
    const stream = config.source.streams[0];
    if (!stream) throw new Error('no stream');
    expect(streamContext(stream).schemaEvolution).toEqual({
      newColumn: 'add',
      removedColumn: 'fail',
      typeChange: 'fail',
      nullabilityChange: 'allow',
    });
  });

  it('rejects an unknown value or key of a stream override, naming the allowed values', () => {
    const issues = messages(
      yaml(
        '    - name: public.a\n      sync_mode: full_refresh\n      schema_evolution: { type_change: widen, rename: add }',
      ),
    );
    expect(issues.join('\n')).toMatch(/type_change/);
    expect(issues.join('\n')).toMatch(/coerce/);
    expect(issues.join('\n')).toMatch(/rename/);
  });

  it("reads YAML's null in `type_change: null` as the policy 'null'", () => {
    const config = load(
      yaml(
        '    - name: public.a\n      sync_mode: full_refresh\n      schema_evolution: { type_change: coerce }\n    - name: public.b\n      sync_mode: full_refresh\n      schema_evolution: { type_change: null }',
        '  schema_evolution:\n    type_change: null',
      ),
    );
    expect(config.destination.schemaEvolution.typeChange).toBe('null');
    expect(config.source.streams.map((s) => s.schemaEvolution?.typeChange)).toEqual(['coerce', 'null']);
    expect(
      messages(
        yaml('    - name: public.a\n      sync_mode: full_refresh\n      schema_evolution: { type_change: 3 }'),
      ).join('\n'),
    ).toMatch(/type_change.*coerce, null, fail/);
  });

  it('mergeSchemaEvolution keeps the base for keys left out', () => {
    expect(mergeSchemaEvolution(DEFAULT_SCHEMA_EVOLUTION, undefined)).toEqual(DEFAULT_SCHEMA_EVOLUTION);
    expect(mergeSchemaEvolution(DEFAULT_SCHEMA_EVOLUTION, { removed_column: 'fail' }).removedColumn).toBe('fail');
  });
});
