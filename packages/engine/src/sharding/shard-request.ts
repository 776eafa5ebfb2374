import type { StreamConfig } from '../config/index.js';

/** Rows per shard `shards: auto` aims at (fewer rows: fewer shards). */
const AUTO_ROWS_PER_SHARD = 1_000_000;

/** Cores below which `shards: auto` never splits (on 2 cores one chain was faster: see docs/architecture.md#sharding). */
const AUTO_MIN_CORES = 4;

/**
 * Whether a stream is split into key-range shards: `none` (one chain; `reason` when the config
 * asked for shards that do not apply), `fixed` (`shards: N`, N ≥ 2) or `auto` (at most `max`,
 * decided from the table's size).
 */
export type ShardRequest =
  | { readonly kind: 'none'; readonly reason?: string }
  | { readonly kind: 'fixed'; readonly count: number }
  | { readonly kind: 'auto'; readonly max: number };

/**
 * Sharding applies to full-refresh `append` and `upsert` streams (a `replace` loads one staging
 * table in one transaction; incremental and CDC streams read in cursor or LSN order). `auto` (or
 * absent) splits only on `AUTO_MIN_CORES`+ cores, into at most half of them: each chain keeps two
 * backends busy, its source's and its destination's.
 */
export function shardRequest(
  stream: Pick<StreamConfig, 'shards' | 'syncMode' | 'writeMode'>,
  cores: number,
): ShardRequest {
  const explicit = typeof stream.shards === 'number' && stream.shards > 1;
  if (stream.syncMode !== 'full_refresh')
    return explicit
      ? { kind: 'none', reason: `shards apply to full_refresh streams; this one is ${stream.syncMode}` }
      : { kind: 'none' };
  if (stream.writeMode === 'replace')
    return explicit
      ? { kind: 'none', reason: 'write_mode replace loads one staging table in one transaction: one chain' }
      : { kind: 'none' };
  if (typeof stream.shards === 'number')
    return stream.shards > 1 ? { kind: 'fixed', count: stream.shards } : { kind: 'none' };
  if (cores < AUTO_MIN_CORES) return { kind: 'none' };
  return { kind: 'auto', max: Math.floor(cores / 2) };
}

/** The shard count `auto` picks for a table of `estimatedRows`: 1 (do not split) up to `max`. */
export function autoShardCount(max: number, estimatedRows: number): number {
  return Math.max(1, Math.min(max, Math.floor(estimatedRows / AUTO_ROWS_PER_SHARD)));
}

/** Chains a stream may run at once (for sizing `parallelism: auto`). */
export function chainsOf(request: ShardRequest): number {
  return request.kind === 'fixed' ? request.count : request.kind === 'auto' ? request.max : 1;
}
