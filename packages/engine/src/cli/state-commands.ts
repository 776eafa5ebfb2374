import { resolve } from 'node:path';
import { isStreamPattern, qualifiedStreamName, type PipelineConfig, type StreamConfig } from '../config/index.js';
import { expandStreamPatterns, hasStreamPatterns } from '../orchestrator/expand-stream-patterns.js';
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

/** A shard's checkpoint key (`public.t[shard 2/4]`) belongs to its stream. */
const SHARD_SUFFIX = /\[shard \d+\/\d+\]$/;

/**
 * The streams the state DB holds anything for (a checkpoint, cursor or pending reset), by the
 * names runs stored them under: for a pattern pipeline, the expanded ones.
 */
async function storedStreams(state: StateStore, pipeline: string): Promise<string[]> {
  const prefix = `${pipeline}/`;
  const names = new Set<string>();
  for (const scope of [CHECKPOINT_SCOPE, RESET_SCOPE]) {
    for (const key of await state.listKvKeys(scope, prefix))
      names.add(key.slice(prefix.length).replace(SHARD_SUFFIX, ''));
  }
  return [...names].sort();
}

/**
 * The streams of the pipeline as the state commands see them: those listed by name, and for a
 * pattern stream the streams of this pipeline the state DB holds that the pattern selects (a run
 * stores a pattern's streams under the names it expanded to). Reading the state DB, not the
 * source's catalog, keeps `state show` working without the source; a table the pattern would
 * select but that never ran has no state to show or forget.
 */
async function pipelineStreams(state: StateStore, config: PipelineConfig): Promise<readonly StreamConfig[]> {
  if (!hasStreamPatterns(config)) return config.source.streams;
  const stored = await storedStreams(state, config.pipeline);
  return expandStreamPatterns(config, { streams: stored.map((name) => ({ name })) }, { requireMatches: false }).source
    .streams;
}

/** `--stream S` among `streams`; a name a pattern stream selects is accepted even before its first run. */
function pick(config: PipelineConfig, streams: readonly StreamConfig[], only: string): StreamConfig {
  const wanted = qualifiedStreamName(only);
  const found = streams.find((s) => qualifiedStreamName(s.name) === wanted);
  if (found) return found;
  const selected = expandStreamPatterns(config, { streams: [{ name: wanted }] }, { requireMatches: false }).source
    .streams;
  const byPattern = selected.find((s) => s.name === wanted);
  if (byPattern) return byPattern;
  const names = streams.map((s) => s.name);
  const patterns = config.source.streams.filter((s) => isStreamPattern(s.name)).map((s) => s.name);
  const listed = [...names, ...patterns.map((p) => `${p} (pattern)`)];
  throw new Error(`stream '${only}' is not in ${resolve(config.file)} (streams: ${listed.join(', ')})`);
}

async function streamsOf(state: StateStore, config: PipelineConfig, only?: string): Promise<readonly StreamConfig[]> {
  const streams = await pipelineStreams(state, config);
  return only === undefined ? streams : [pick(config, streams, only)];
}

export async function showState(
  state: StateStore,
  config: PipelineConfig,
  stream?: string,
): Promise<StreamStateView[]> {
  const views: StreamStateView[] = [];
  for (const { name } of await streamsOf(state, config, stream)) {
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
 * Forgets the streams' cursors and checkpoints and marks them reset: the next run ignores (and
 * overwrites) the destination's watermark and starts them from scratch. Resetting the whole
 * pipeline forgets every cursor, LSN and checkpoint stored for it — also of streams a pattern
 * selected or that left the config — so no stored LSN outlives the replication slot the reset
 * drops. Returns the streams reset (expanded names for a pattern pipeline).
 */
export async function resetState(
  state: StateStore,
  config: PipelineConfig,
  stream?: string,
): Promise<readonly StreamConfig[]> {
  const streams = await streamsOf(state, config, stream);
  const prefix = `${config.pipeline}/`;
  if (stream === undefined) {
    await state.deleteCursors(config.pipeline);
    for (const key of await state.listKvKeys(CHECKPOINT_SCOPE, prefix)) await state.deleteKv(CHECKPOINT_SCOPE, key);
  }
  for (const { name } of streams) {
    await state.deleteCursors(config.pipeline, name);
    for (const key of await state.listKvKeys(CHECKPOINT_SCOPE, `${prefix}${name}`)) {
      if (key === `${prefix}${name}` || SHARD_SUFFIX.test(key.slice(prefix.length + name.length)))
        await state.deleteKv(CHECKPOINT_SCOPE, key);
    }
    await state.putKv(RESET_SCOPE, `${prefix}${name}`, new Date().toISOString());
  }
  return streams;
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
