import {
  ConnectorError,
  frames,
  log,
  pg,
  type SessionContext,
  type Step,
  type StreamContext,
  type TransferSummary,
} from '@rapidbyte/sdk';
import { projectColumns, projectedPrimaryKey } from './column-projection.js';
import { copyOutStatement } from './copy-out-statement.js';
import { closeQuietly, openConnection } from '@rapidbyte/sdk';
import { describeRelation } from './relation-catalog.js';
import type { SourceConfig } from './source-config.js';
import { withStreamContext } from '@rapidbyte/sdk/postgres';
import { parseStreamName } from './stream-name.js';

/** Rows per frame when the context does not say. */
export const DEFAULT_BATCH_ROWS = 65_536;

/** Arrow schema metadata keys every frame of this source carries. */
export const PRIMARY_KEY_METADATA = 'rapidbyte.primary_key';
export const SOURCE_STREAM_METADATA = 'rapidbyte.source_stream';

/**
 * Reads a whole relation in one REPEATABLE READ snapshot: the host runs the COPY BINARY and
 * decodes it into Arrow frames; this generator only passes frame handles downstream.
 */
export function* readFullRefresh(config: SourceConfig, context: SessionContext, stream: StreamContext): Step<TransferSummary> {
  const { schema, table } = parseStreamName(stream.name);
  let conn: number | undefined;
  let doing = 'connect';
  try {
    conn = yield* openConnection(config, `rapidbyte/${context.pipeline}`);
    doing = 'begin snapshot';
    yield* pg.query(conn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    doing = 'read catalog';
    const relation = yield* describeRelation(conn, stream.name, schema, table);
    const projection = projectColumns(relation.columns, stream.columns);
    if (!projection.ok) {
      throw ConnectorError.permanent(
        'COLUMN_NOT_FOUND',
        `${stream.name}: column ${JSON.stringify(projection.unknown)} does not exist; the table has ` +
          relation.columns.map((c) => JSON.stringify(c.name)).join(', '),
        { stream: stream.name, column: projection.unknown },
      );
    }
    const columns = projection.columns;
    const primaryKey = projectedPrimaryKey(relation.primaryKey, columns);
    if (primaryKey.length === 0 && relation.primaryKey.length > 0) {
      log.warn(`${stream.name}: the column list leaves out part of the primary key; frames carry no key`);
    }
    const sql = copyOutStatement(schema, table, columns);
    doing = 'copy out';
    const batchRows = positiveInt(context.resources?.batchRows, DEFAULT_BATCH_ROWS);
    const copy = yield* pg.copyOut(conn, sql, columns, batchRows, [
      [PRIMARY_KEY_METADATA, JSON.stringify(primaryKey)],
      [SOURCE_STREAM_METADATA, stream.name],
    ]);
    let frameCount = 0;
    let rows = 0;
    for (;;) {
      const item = yield* pg.copyOutNext(copy);
      if (item.kind === 'frame') {
        frames.emit(item.frame);
        frameCount += 1;
      } else if (item.kind === 'end') {
        rows = Number(item.rows);
        break;
      }
    }
    doing = 'commit';
    yield* pg.query(conn, 'COMMIT');
    yield* pg.close(conn);
    conn = undefined;
    log.info(`${stream.name}: read ${rows} rows in ${frameCount} frames (${columns.length} columns, full refresh)`);
    return { rows, frames: frameCount };
  } catch (error) {
    yield* closeQuietly(conn);
    throw withStreamContext(error, stream.name, doing);
  }
}

function positiveInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 0xffffffff ? value : fallback;
}
