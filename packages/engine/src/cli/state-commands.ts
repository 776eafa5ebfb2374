import { resolve } from 'node:path';
import type { PipelineConfig } from '../config/index.js';
import { CHECKPOINT_SCOPE } from '../orchestrator/checkpoint-recorder.js';
import { RESET_SCOPE } from '../orchestrator/reset-marker.js';
import type { StateStore } from '../state/index.js';

/** One stream's stored state, as `rapidbyte state show` prints it. */
export interface StreamStateView {
  readonly stream: string;
  readonly cursorField?: string;
  readonly cursorValue?: string;
  readonly lsn?: string;
  readonly updatedAt?: string;
  readonly checkpoint?: unknown;
  readonly resetPending: boolean;
}

function streamsOf(config: PipelineConfig, only?: string): string[] {
  const names = config.source.streams.map((s) => s.name);
  if (only === undefined) return names;
  if (!names.includes(only)) throw new Error(`stream '${only}' is not in ${resolve(config.file)} (streams: ${names.join(', ')})`);
  return [only];
}

export async function showState(state: StateStore, config: PipelineConfig, stream?: string): Promise<StreamStateView[]> {
  const views: StreamStateView[] = [];
  for (const name of streamsOf(config, stream)) {
    const cursor = await state.getCursor(config.pipeline, name);
    const payload = await state.getKv(CHECKPOINT_SCOPE, `${config.pipeline}/${name}`);
    views.push({
      stream: name,
      cursorField: cursor?.cursorField,
      cursorValue: cursor?.cursorValue,
      lsn: cursor?.lsn,
      updatedAt: cursor?.updatedAt,
      checkpoint: payload === undefined ? undefined : (JSON.parse(payload) as unknown),
      resetPending: (await state.getKv(RESET_SCOPE, `${config.pipeline}/${name}`)) !== undefined,
    });
  }
  return views;
}

/**
 * Forgets the streams' cursors and checkpoints. The destination's watermark is ignored (and
 * overwritten) by the next run, which starts the streams from scratch.
 */
export async function resetState(state: StateStore, config: PipelineConfig, stream?: string): Promise<string[]> {
  const names = streamsOf(config, stream);
  for (const name of names) {
    await state.deleteCursors(config.pipeline, name);
    await state.deleteKv(CHECKPOINT_SCOPE, `${config.pipeline}/${name}`);
    await state.putKv(RESET_SCOPE, `${config.pipeline}/${name}`, new Date().toISOString());
  }
  return names;
}

export function formatState(views: readonly StreamStateView[]): string {
  return views
    .map((v) => {
      const lines = [`${v.stream}${v.resetPending ? '  (reset: next run starts from scratch)' : ''}`];
      if (v.cursorField || v.cursorValue) lines.push(`  cursor ${v.cursorField ?? '?'} = ${v.cursorValue ?? '(none)'}`);
      if (v.lsn) lines.push(`  lsn ${v.lsn}`);
      if (v.checkpoint !== undefined) lines.push(`  checkpoint ${JSON.stringify(v.checkpoint)}`);
      if (v.updatedAt) lines.push(`  updated ${v.updatedAt}`);
      if (lines.length === 1) lines.push('  (no state)');
      return lines.join('\n');
    })
    .join('\n');
}
