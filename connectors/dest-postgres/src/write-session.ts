import { checkpointKey, type StreamContext, type TransferSummary } from '@rapidbyte/sdk';
import type { SchemaChange } from './evolution-policy.js';
import type { DestSettings } from './dest-config.js';
import type { FrameInput } from './frame-input.js';
import type { Fence } from './watermark-store.js';

/** Everything a write mode needs for one stream: the open connection, settings, stream and its first frame. */
export interface WriteSession {
  readonly conn: number;
  readonly settings: DestSettings;
  readonly pipeline: string;
  readonly stream: StreamContext;
  readonly input: FrameInput;
  /** The epoch this session took on its stream (`takeEpoch`): every commit is fenced by it. */
  readonly epoch: string;
  /** The engine's run id (rows of `dlq.table` name it); 0 when the context has none. */
  readonly runId?: number;
  /** `on_data_error` (default `fail`): what a row the destination rejects becomes. */
  readonly onDataError?: 'fail' | 'skip' | 'dlq';
  /** Load every frame with rejected rows isolated (`context.isolateRows`: the attempt after a `ROWS_REJECTED`). */
  readonly isolateRows?: boolean;
}

/**
 * The watermark row of the session's stream: (pipeline, source stream name) in the destination
 * schema; a shard of a sharded full refresh has its own row (`public.users[shard 2/4]`) and epoch.
 * With the session's epoch: the fence of its commits.
 */
export function watermarkKey(session: WriteSession): Fence {
  return {
    schema: session.settings.schema,
    pipeline: session.pipeline,
    stream: checkpointKey(session.stream),
    epoch: session.epoch,
  };
}

/** A write session's result: counts, and the schema changes applied (when there were any). */
export interface WriteResult extends TransferSummary {
  readonly schemaChanges?: readonly SchemaChange[];
  /** `on_data_error` and the rows it rejected (skipped or dead-lettered), when there were any. */
  readonly policy?: 'fail' | 'skip' | 'dlq';
  readonly rejected?: number;
}
