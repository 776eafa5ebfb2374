import type { StateStore } from '../state/index.js';

/** Connector-KV scope of the engine's stored shard plans (one per stream with an unfinished sharded pass). */
const SHARD_PLAN_SCOPE = 'rapidbyte.shards';

/**
 * A sharded full-refresh pass: `count` key ranges cut at `bounds` (ascending key tuples as
 * Postgres text, `count - 1` of them). Stored in the state DB before any shard starts and kept
 * until every shard finished, so a run that was killed resumes each shard inside the same range.
 */
export interface ShardPlan {
  /** Id of the pass; every shard's checkpoints carry it (`ResumePoint.pass`). */
  readonly pass: string;
  readonly count: number;
  readonly key: readonly string[];
  readonly bounds: readonly (readonly string[])[];
  readonly plannedAt: string;
}

const planKey = (pipeline: string, stream: string): string => `${pipeline}/${stream}`;

/** The stored plan of a stream's unfinished sharded pass, or undefined. */
export async function loadShardPlan(
  state: StateStore,
  pipeline: string,
  stream: string,
): Promise<ShardPlan | undefined> {
  const json = await state.getKv(SHARD_PLAN_SCOPE, planKey(pipeline, stream));
  if (json === undefined) return undefined;
  const plan = JSON.parse(json) as Partial<ShardPlan>;
  const valid =
    typeof plan.pass === 'string' &&
    Number.isSafeInteger(plan.count) &&
    Array.isArray(plan.key) &&
    Array.isArray(plan.bounds) &&
    plan.bounds.length === (plan.count as number) - 1;
  return valid ? (plan as ShardPlan) : undefined;
}

export async function saveShardPlan(
  state: StateStore,
  pipeline: string,
  stream: string,
  plan: ShardPlan,
): Promise<void> {
  await state.putKv(SHARD_PLAN_SCOPE, planKey(pipeline, stream), JSON.stringify(plan));
}

export async function deleteShardPlan(state: StateStore, pipeline: string, stream: string): Promise<void> {
  await state.deleteKv(SHARD_PLAN_SCOPE, planKey(pipeline, stream));
}

/** The range `(lower, upper]` of shard `index` of a plan. */
export function shardRange(
  plan: Pick<ShardPlan, 'bounds'>,
  index: number,
): { lower?: readonly string[]; upper?: readonly string[] } {
  const lower = index > 0 ? plan.bounds[index - 1] : undefined;
  const upper = plan.bounds[index];
  return { ...(lower && { lower }), ...(upper && { upper }) };
}
