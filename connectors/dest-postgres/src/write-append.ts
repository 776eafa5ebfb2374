import { log, pg, type Step, type StreamContext, type TransferSummary } from '@rapidbyte/sdk';
import type { DestSettings } from './dest-config.js';
import { copyAllFrames, reportCommitted, type FrameInput } from './frame-input.js';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { copyInStatement } from './target-catalog.js';
import { ensureEnumTypes, planTable, tableOid, targetCopyColumns } from './target-table.js';

/**
 * `append`: one transaction that creates the target if it is missing (exact source types,
 * NOT NULL, primary key) and COPYs every frame into it.
 */
export function* writeAppend(conn: number, settings: DestSettings, stream: StreamContext, input: FrameInput): Step<TransferSummary> {
  const { schema } = settings;
  const table = stream.destinationTable;
  const qualified = quoteQualified(schema, table);
  let oid = yield* tableOid(conn, schema, table);
  if (!input.fields) {
    log.info(`${stream.name}: no frames; ${qualified} ${oid ? 'unchanged' : 'not created (no schema to create it from)'}`);
    reportCommitted(input);
    return { rows: 0, frames: 0 };
  }
  const plan = oid ? undefined : planTable(stream.name, schema, table, input.fields, stream.primaryKey, { ifNotExists: true });
  if (plan) yield* ensureEnumTypes(conn, plan.enums);

  yield* pg.query(conn, 'BEGIN');
  if (plan) {
    yield* pg.query(conn, plan.createTable);
    oid = yield* tableOid(conn, schema, table);
    log.info(`${stream.name}: created ${qualified} (${input.fields.length} columns, primary key ${formatKey(stream.primaryKey)})`);
  }
  const columns = yield* targetCopyColumns(conn, stream.name, qualified, oid ?? '0', input.fields);
  const copy = yield* pg.copyIn(conn, copyInStatement(schema, table, columns), columns);
  const frameCount = yield* copyAllFrames(copy, input);
  const rows = Number(yield* pg.copyInEnd(copy));
  yield* pg.query(conn, 'COMMIT');
  reportCommitted(input);
  log.info(`${stream.name}: appended ${rows} rows in ${frameCount} frames to ${qualified}`);
  return { rows, frames: frameCount };
}

export function formatKey(key: readonly string[] | undefined): string {
  return key && key.length > 0 ? `(${key.join(', ')})` : 'none';
}
