import {
  ConnectorError,
  frames,
  pg,
  type PgColumn,
  type SessionContext,
  type Step,
  type StreamContext,
} from '@rapidbyte/sdk';
import { closeQuietly, openConnection } from '@rapidbyte/sdk';
import { projectColumns } from './column-projection.js';
import type { Relation } from './relation-catalog.js';
import type { SourceConfig } from './source-config.js';
import { sessionSettingsSql } from './session-settings.js';
import { AVERAGE_ROW_BYTES_SQL, chunkRowsFor } from './checkpoint-chunk-rows.js';

/** Rows per frame when the context does not say. */
export const DEFAULT_BATCH_ROWS = 65_536;

/** Rows of the first key-range chunk of a chunked read (at most): its bound query runs before any row moves. */
export const FIRST_CHUNK_ROWS = 65_536;

/** Rows per checkpointed chunk when the context does not say. */
export { DEFAULT_CHECKPOINT_ROWS } from './checkpoint-chunk-rows.js';

/**
 * Connects, applies SESSION_SETTINGS (UTC, ISO dates, exact floats) and opens the one
 * `REPEATABLE READ READ ONLY` transaction a read runs in. Closes the connection if a step fails.
 */
export function* openReadSnapshot(config: SourceConfig, context: SessionContext): Step<number> {
  const conn = yield* openConnection(config, `rapidbyte/${context.pipeline}`);
  try {
    yield* pg.query(conn, sessionSettingsSql(config.row_security === true));
    yield* pg.query(conn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return conn;
  } catch (error) {
    yield* closeQuietly(conn);
    throw error;
  }
}

/** The stream's `columns` applied to the relation; an unknown name is a permanent COLUMN_NOT_FOUND. */
export function projectOrThrow(stream: StreamContext, relation: Relation): PgColumn[] {
  const projection = projectColumns(relation.columns, stream.columns);
  if (projection.ok) return projection.columns;
  throw ConnectorError.permanent(
    'COLUMN_NOT_FOUND',
    `${stream.name}: column ${JSON.stringify(projection.unknown)} does not exist; the table has ` +
      relation.columns.map((c) => JSON.stringify(c.name)).join(', '),
    { stream: stream.name, column: projection.unknown },
  );
}

/** Frame settings shared by every COPY of a read. */
export interface CopyTarget {
  readonly columns: PgColumn[];
  readonly batchRows: number;
  readonly metadata: [string, string][];
}

/** Runs one COPY; the host decodes it into frames, which are emitted downstream as they come. */
export function* copyChunk(conn: number, sql: string, target: CopyTarget): Step<{ rows: number; frames: number }> {
  const copy = yield* pg.copyOut(conn, sql, target.columns, target.batchRows, target.metadata);
  let frameCount = 0;
  for (;;) {
    const item = yield* pg.copyOutNext(copy);
    if (item.kind === 'frame') {
      frames.emit(item.frame);
      frameCount += 1;
    } else if (item.kind === 'end') {
      return { rows: Number(item.rows), frames: frameCount };
    }
  }
}

/** `value` when it is a positive 32-bit integer, else `fallback`. */
export function positiveInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 0xffffffff ? value : fallback;
}

/** Reads the relation's average row size and applies both checkpoint intervals. */
export function* checkpointChunkRows(conn: number, relationOid: string, context: SessionContext): Step<number> {
  const raw = (yield* pg.query(conn, AVERAGE_ROW_BYTES_SQL, [relationOid])).rows[0]?.[0];
  const average = raw === undefined ? undefined : Number(raw);
  return chunkRowsFor(context.resources?.checkpointIntervalRows, context.resources?.checkpointIntervalBytes, average);
}
