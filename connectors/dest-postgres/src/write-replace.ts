import { log, pg, type Step, type StreamContext, type TransferSummary } from '@rapidbyte/sdk';
import type { DestSettings } from './dest-config.js';
import { copyAllFrames, reportCommitted, type FrameInput } from './frame-input.js';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { replaceTable } from './replace-table.js';
import { stagingTableName } from './staging-table-name.js';
import { copyInStatement } from './target-catalog.js';
import { ensureEnumTypes, planTable, tableOid, targetCopyColumns } from './target-table.js';

/**
 * `replace`: loads every frame into a staging table (a leftover one from a failed run is dropped
 * first), commits, then swaps it in for the target in one short transaction. The staging table
 * copies the target's definition (`LIKE ... INCLUDING ALL`) when the target exists, else it is
 * created from the frame schema.
 */
export function* writeReplace(conn: number, settings: DestSettings, stream: StreamContext, input: FrameInput): Step<TransferSummary> {
  const { schema } = settings;
  const table = stream.destinationTable;
  const staging = stagingTableName(table);
  const qualified = quoteQualified(schema, table);
  const stage = quoteQualified(schema, staging);
  const targetOid = yield* tableOid(conn, schema, table);
  if (!targetOid && !input.fields) {
    log.warn(`${stream.name}: no frames and no ${qualified}; nothing to replace`);
    reportCommitted(input);
    return { rows: 0, frames: 0 };
  }
  const plan = targetOid || !input.fields ? undefined : planTable(stream.name, schema, staging, input.fields, stream.primaryKey);
  if (plan) yield* ensureEnumTypes(conn, plan.enums);

  yield* pg.query(conn, 'BEGIN');
  yield* pg.query(conn, `DROP TABLE IF EXISTS ${stage}`);
  yield* pg.query(conn, plan ? plan.createTable : `CREATE TABLE ${stage} (LIKE ${qualified} INCLUDING ALL)`);
  let rows = 0;
  let frameCount = 0;
  if (input.fields) {
    const stagingOid = (yield* tableOid(conn, schema, staging)) ?? '0';
    const columns = yield* targetCopyColumns(conn, stream.name, qualified, stagingOid, input.fields);
    const copy = yield* pg.copyIn(conn, copyInStatement(schema, staging, columns), columns);
    frameCount = yield* copyAllFrames(copy, input);
    rows = Number(yield* pg.copyInEnd(copy));
  }
  yield* pg.query(conn, 'COMMIT');
  log.info(`${stream.name}: loaded ${rows} rows in ${frameCount} frames into ${stage}`);

  try {
    yield* replaceTable(conn, settings, stream.name, table, staging);
  } catch (error) {
    yield* dropQuietly(conn, stage);
    throw error;
  }
  reportCommitted(input);
  log.info(`${stream.name}: replaced ${qualified} with ${rows} rows`);
  return { rows, frames: frameCount };
}

function* dropQuietly(conn: number, stage: string): Step<void> {
  try {
    yield* pg.query(conn, `DROP TABLE IF EXISTS ${stage}`);
  } catch {
    // left for the next run, which drops it first
  }
}
