import { checkpointKey } from '@rapidbyte/sdk/contract';
import type { StateStore } from '../state/index.js';
import type { StageTask, StreamTask } from './stream-task.js';

/** State DB scope of the key/value state connectors keep through `state-get/put/cas`. */
export const CONNECTOR_STATE_SCOPE = 'rapidbyte.connector';

/**
 * The key prefix of one stage's state: (pipeline, stream — a shard is its own stream here, so
 * shards never share keys — and the stage's slot and connector). Two instances of one connector
 * in a chain (two `transform-map`s) keep apart by their slot.
 */
export function connectorStatePrefix(
  pipeline: string,
  stream: StreamTask['stream'],
  slot: number,
  stage: Pick<StageTask, 'role' | 'component'>,
): string {
  return `${pipeline}/${checkpointKey(stream)}/${slot}:${stage.role}:${stage.component.connector}/`;
}

/** The stages of `task` in slot order: source, transforms, destination. */
export function chainStages(task: Pick<StreamTask, 'source' | 'transforms' | 'destination'>): StageTask[] {
  return [task.source, ...task.transforms, task.destination];
}

async function loadStage(state: StateStore, prefix: string): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  for (const key of await state.listKvKeys(CONNECTOR_STATE_SCOPE, prefix)) {
    const value = await state.getKv(CONNECTOR_STATE_SCOPE, key);
    if (value !== undefined) entries[key.slice(prefix.length)] = value;
  }
  return entries;
}

/**
 * `task` with each stage's connector state as the state DB holds it now, so a session sees what
 * the previous attempt or run put (a connector's `state-put` is stored as it happens).
 */
export async function withConnectorState<T extends StreamTask>(task: T, state: StateStore): Promise<T> {
  const stages = chainStages(task);
  const loaded = await Promise.all(
    stages.map((stage, slot) => loadStage(state, connectorStatePrefix(task.pipeline, task.stream, slot, stage))),
  );
  const at = (slot: number): StageTask => ({ ...(stages[slot] as StageTask), state: loaded[slot] ?? {} });
  return {
    ...task,
    source: at(0),
    transforms: task.transforms.map((_, i) => at(i + 1)),
    destination: at(stages.length - 1),
  };
}
