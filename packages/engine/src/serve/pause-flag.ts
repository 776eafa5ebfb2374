import type { StateStore } from '../state/index.js';

/** Where pause flags live in the state DB's key/value table (one key per pipeline, the value is when it was paused). */
const SCOPE = 'rapidbyte:serve';
const key = (pipeline: string): string => `paused/${pipeline}`;

/** Whether `pipeline` is paused; the flag is in the state DB, so it survives a serve restart. */
export async function isPaused(state: StateStore, pipeline: string): Promise<boolean> {
  return (await state.getKv(SCOPE, key(pipeline))) !== undefined;
}

export async function setPaused(state: StateStore, pipeline: string, paused: boolean, at: Date): Promise<void> {
  if (paused) await state.putKv(SCOPE, key(pipeline), at.toISOString());
  else await state.deleteKv(SCOPE, key(pipeline));
}
