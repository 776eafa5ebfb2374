import { ConnectorError, pg, type PgColumn, type Step } from '@rapidbyte/sdk';
import { addCdcColumnsDdl, type CdcSettings } from './cdc-settings.js';
import { cdcStageDdl, CDC_STAGE_TABLE } from './cdc-stage-sql.js';
import { columnsFromRows, TABLE_COLUMNS_SQL } from './target-catalog.js';
import { tableOid } from './target-table.js';

/** The columns of a table (by oid), as the host encodes COPY for them. */
export function* relationColumns(conn: number, oid: string): Step<PgColumn[]> {
  return columnsFromRows((yield* pg.query(conn, TABLE_COLUMNS_SQL, [oid])).rows);
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
 * plus `_rb_op` and `_rb_unchanged`) and returns its columns for COPY.
 */
export function* createCdcStage(conn: number, stream: string, schema: string, table: string, columns: readonly string[]): Step<PgColumn[]> {
  yield* pg.query(conn, cdcStageDdl(schema, table, columns));
  const oid = yield* tableOid(conn, 'pg_temp', CDC_STAGE_TABLE);
  if (!oid) throw ConnectorError.permanent('TABLE_NOT_CREATED', `${stream}: the CDC stage table is missing right after its CREATE`, { stream });
  return yield* relationColumns(conn, oid);
}
