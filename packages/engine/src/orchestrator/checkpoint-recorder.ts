import type { StateStore } from '../state/index.js';

/** Connector-KV scope under which the engine keeps each stream's last committed checkpoint. */
export const CHECKPOINT_SCOPE = 'rapidbyte.checkpoint';

/** What the engine keeps of a committed checkpoint payload. */
interface CommittedPayload {
  readonly cursorField?: string;
  readonly cursorValue?: string;
  readonly lsn?: string;
}

/**
 * Records a checkpoint the destination has committed: the cursor/LSN row of the state DB and the
 * full payload (read back as the resume point when the destination has no watermark).
 */
export async function recordCommittedCheckpoint(
  state: StateStore,
  pipeline: string,
  stream: string,
  runId: number,
  payloadJson: string,
): Promise<void> {
  const payload = JSON.parse(payloadJson) as CommittedPayload | null;
  if (!payload || typeof payload !== 'object') return;
  await state.putKv(CHECKPOINT_SCOPE, `${pipeline}/${stream}`, payloadJson);
  await state.putCursor({
    pipeline,
    stream,
    cursorField: typeof payload.cursorField === 'string' ? payload.cursorField : undefined,
    cursorValue: typeof payload.cursorValue === 'string' ? payload.cursorValue : undefined,
    lsn: typeof payload.lsn === 'string' ? payload.lsn : undefined,
    runId,
  });
}

/** The last committed checkpoint the state DB holds for a stream, or undefined. */
export async function storedCheckpoint(state: StateStore, pipeline: string, stream: string): Promise<unknown> {
  const json = await state.getKv(CHECKPOINT_SCOPE, `${pipeline}/${stream}`);
  return json === undefined ? undefined : (JSON.parse(json) as unknown);
}
