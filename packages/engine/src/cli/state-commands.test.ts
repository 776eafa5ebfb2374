import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPipelineConfig, type PipelineConfig } from '../config/index.js';
import { recordCommittedCheckpoint } from '../orchestrator/checkpoint-recorder.js';
import { RESET_SCOPE } from '../orchestrator/reset-marker.js';
import { openSqliteStateStore, type StateStore } from '../state/index.js';
import { resetState, showState } from './state-commands.js';

function config(streams: string): PipelineConfig {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-state-cmd-'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    `version: "1.0"\npipeline: p\nsource:\n  use: src\n  streams:\n${streams}\ndestination:\n  use: dst\n  write_mode: upsert\n`,
  );
  return loadPipelineConfig(file, { env: {}, resolveConnector: () => ({ configSchema: { type: 'object' } }) });
}

const PATTERN = config(
  '    - { name: "public.t*", exclude: [public.tmp], sync_mode: incremental, cursor_field: cur }\n    - { name: sales.orders, sync_mode: cdc }',
);

describe('state show / reset of a pattern pipeline', () => {
  let state: StateStore;
  const commit = (stream: string, payload: object): Promise<void> =>
    recordCommittedCheckpoint(state, 'p', stream, 1, JSON.stringify(payload));

  beforeEach(async () => {
    state = openSqliteStateStore(':memory:');
    await commit('public.t2', { mode: 'incremental', cursorField: 'cur', cursorValue: '20' });
    await commit('public.t1', { mode: 'incremental', cursorField: 'cur', cursorValue: '10' });
    await commit('public.t1[shard 1/2]', { mode: 'full_refresh' });
    await commit('public.tmp', { mode: 'incremental', cursorValue: '1' }); // excluded by the pattern
    await commit('public.gone', { mode: 'incremental', cursorValue: '5' }); // no longer in the config
    await commit('sales.orders', { mode: 'cdc', lsn: '0/10' });
    await recordCommittedCheckpoint(
      state,
      'other',
      'public.t1',
      1,
      JSON.stringify({ mode: 'incremental', cursorValue: '99' }),
    );
  });

  afterEach(async () => {
    await state.close();
  });

  it('shows the streams the state DB holds that the pattern selects, after the named ones', async () => {
    const views = await showState(state, PATTERN);
    expect(views.map((v) => [v.stream, v.cursorValue ?? v.lsn])).toEqual([
      ['public.t1', '10'],
      ['public.t2', '20'],
      ['sales.orders', '0/10'],
    ]);
  });

  it('--stream takes an expanded name (also bare), or one the pattern would select; refuses others naming the pattern', async () => {
    expect((await showState(state, PATTERN, 'public.t2')).map((v) => v.cursorValue)).toEqual(['20']);
    expect((await showState(state, PATTERN, 't2')).map((v) => v.stream)).toEqual(['public.t2']);
    expect((await showState(state, PATTERN, 'public.t9')).map((v) => [v.stream, v.cursorValue])).toEqual([
      ['public.t9', undefined],
    ]);
    await expect(showState(state, PATTERN, 'public.tmp')).rejects.toThrow(
      /stream 'public.tmp' is not in .*\(streams: public\.t1, public\.t2, sales\.orders, public\.t\* \(pattern\)\)/,
    );
  });

  it('resets one expanded stream: its cursor, checkpoint and shard checkpoints, and marks it', async () => {
    expect((await resetState(state, PATTERN, 'public.t1')).map((s) => s.name)).toEqual(['public.t1']);
    expect(await state.getCursor('p', 'public.t1')).toBeUndefined();
    expect(await state.listKvKeys('rapidbyte.checkpoint', 'p/public.t1')).toEqual([]);
    expect(await state.getKv(RESET_SCOPE, 'p/public.t1')).toBeDefined();
    expect((await state.getCursor('p', 'public.t2'))?.cursorValue).toBe('20');
    expect((await state.getCursor('other', 'public.t1'))?.cursorValue).toBe('99');
  });

  it('resets the whole pipeline: every stored cursor, LSN and checkpoint of it, and marks the expanded streams', async () => {
    const reset = (await resetState(state, PATTERN)).map((s) => s.name);
    expect(reset).toEqual(['public.t1', 'public.t2', 'sales.orders']);
    for (const s of ['public.t1', 'public.t2', 'public.tmp', 'public.gone', 'sales.orders'])
      expect(await state.getCursor('p', s)).toBeUndefined();
    expect(await state.listKvKeys('rapidbyte.checkpoint', 'p/')).toEqual([]);
    expect(await state.listKvKeys(RESET_SCOPE, 'p/')).toEqual(['p/public.t1', 'p/public.t2', 'p/sales.orders']);
    expect((await state.getCursor('other', 'public.t1'))?.cursorValue).toBe('99');
    // pending resets keep showing the streams until their next run
    expect((await showState(state, PATTERN)).map((v) => [v.stream, v.resetPending])).toEqual([
      ['public.t1', true],
      ['public.t2', true],
      ['sales.orders', true],
    ]);
  });

  it('a pattern with nothing stored yet shows the named streams only', async () => {
    const fresh = openSqliteStateStore(':memory:');
    try {
      expect((await showState(fresh, PATTERN)).map((v) => v.stream)).toEqual(['sales.orders']);
      expect((await resetState(fresh, PATTERN)).map((s) => s.name)).toEqual(['sales.orders']);
    } finally {
      await fresh.close();
    }
  });
});
