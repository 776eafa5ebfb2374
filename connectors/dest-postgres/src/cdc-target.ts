import { ConnectorError, pg, type FrameSchema, type PgColumn, type Step } from '@rapidbyte/sdk';
import { reservedColumnClashes, type CdcWriteMode } from './cdc-frame.js';
import { addCdcColumnsDdl, cdcExtraColumns, type CdcSettings } from './cdc-settings.js';
import { cdcStageDdl, CDC_STAGE_TABLE, type StageChangeColumns } from './cdc-stage-sql.js';
import { columnsFromRows, TABLE_COLUMNS_SQL } from './target-catalog.js';
import { tableOid } from './target-table.js';

/** The columns of a table (by oid), as the host encodes COPY for them. */
export function* relationColumns(conn: number, oid: string): Step<PgColumn[]> {
  return columnsFromRows((yield* pg.query(conn, TABLE_COLUMNS_SQL, [oid])).rows);
}

/**
 * Refuses (permanent `CDC_COLUMN_RESERVED`, before the target is touched) a stream whose frames
 * carry source columns named like columns the target keeps for itself: a change log's `_rb_op`,
 * `_rb_lsn`, `_rb_unchanged`, and `_rb_deleted_at` / `_rb_synced_at` when the settings add them.
 * (source-postgres refuses the change-log names already, before it publishes the table.)
 */
export function refuseReservedColumns(
  stream: string,
  schema: FrameSchema,
  mode: CdcWriteMode,
  settings: CdcSettings,
): void {
  const clashes = reservedColumnClashes(
    schema,
    mode,
    cdcExtraColumns(settings, mode).map((c) => c.name),
  );
  if (clashes.length === 0) return;
  const bookkeeping = clashes.filter((c) => c === '_rb_deleted_at' || c === '_rb_synced_at');
  const ways = ['leave them out with a column list (`columns:` on the stream)'];
  if (mode === 'append' && bookkeeping.length < clashes.length)
    ways.push('load the stream with write_mode: upsert, where they are ordinary columns');
  if (bookkeeping.length > 0) ways.push('turn off config.cdc.soft_delete / synced_at of the destination');
  throw ConnectorError.permanent(
    'CDC_COLUMN_RESERVED',
    `${stream}: source column${clashes.length > 1 ? 's' : ''} ${clashes.map((c) => JSON.stringify(c)).join(', ')} ` +
      `${clashes.length > 1 ? 'have names' : 'has a name'} the destination keeps for its own CDC columns (${mode === 'append' ? 'the change log' : 'cdc × upsert'}); ${ways.join(', or ')}`,
    { stream, column: clashes[0] },
  );
}

/**
 * Adds the bookkeeping columns the CDC settings ask for (`_rb_deleted_at`, `_rb_synced_at`) to the
 * target when it lacks them, outside any transaction; a target that has them is not locked.
 */
export function* ensureCdcColumns(
  conn: number,
  schema: string,
  table: string,
  oid: string,
  settings: CdcSettings,
  writeMode: 'upsert' | 'append',
): Step<void> {
  const existing = (yield* relationColumns(conn, oid)).map((c) => c.name);
  const ddl = addCdcColumnsDdl(schema, table, settings, writeMode, existing);
  if (ddl !== undefined) yield* pg.query(conn, ddl);
}

/**
 * Creates the session's change stage (`pg_temp._rb_cdc_stage`, typed like the target's `columns`,
 * plus the operation and unchanged-list columns named by `change`) and returns its columns for COPY.
 */
export function* createCdcStage(
  conn: number,
  stream: string,
  schema: string,
  table: string,
  columns: readonly string[],
  change: StageChangeColumns,
): Step<PgColumn[]> {
  yield* pg.query(conn, cdcStageDdl(schema, table, columns, change));
  const oid = yield* tableOid(conn, 'pg_temp', CDC_STAGE_TABLE);
  if (!oid)
    throw ConnectorError.permanent(
      'TABLE_NOT_CREATED',
      `${stream}: the CDC stage table is missing right after its CREATE`,
      { stream },
    );
  return yield* relationColumns(conn, oid);
}
