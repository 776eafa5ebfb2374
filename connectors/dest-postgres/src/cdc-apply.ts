import { ConnectorError, frames, pg, type FrameHandle, type PgColumn, type Step } from '@rapidbyte/sdk';
import { parseStreamName, quoteQualified } from '@rapidbyte/sdk/postgres';
import {
  applyDeletesSql,
  applyUpsertsSql,
  truncateTargetSql,
  unchangedFillSql,
  unchangedMissingSql,
} from './cdc-apply-sql.js';
import type { CdcSettings } from './cdc-settings.js';
import {
  CDC_STAGE_TABLE,
  stageSummary,
  stageSummarySql,
  TRUNCATE_CDC_STAGE_SQL,
  type StageChangeColumns,
} from './cdc-stage-sql.js';
import { copyInTo } from './copy-in-to.js';

/** What applying change frames needs: the target, its key, the stage and the settings. */
export interface ChangeTarget {
  readonly conn: number;
  /** Source stream name (`public.users`): errors name it, the REPLICA IDENTITY hint uses it. */
  readonly stream: string;
  readonly schema: string;
  readonly table: string;
  /** The stream's columns (the stage's data columns). */
  readonly columns: readonly string[];
  readonly key: readonly string[];
  /** Every column of the stage, in order, for COPY. */
  readonly stageColumns: PgColumn[];
  /** The stage's operation and unchanged-list columns (named like the change frames' own). */
  readonly change: StageChangeColumns;
  readonly settings: CdcSettings;
  /** The target's identity `GENERATED ALWAYS` columns (inserted overriding, never updated). */
  readonly identityAlways?: readonly string[];
}

/** Rows one change frame changed in the target. */
export interface AppliedChanges {
  readonly rows: number;
  readonly upserted: number;
  readonly deleted: number;
  readonly truncated: boolean;
}

/**
 * Applies one (coalesced) change frame inside the open transaction: COPY it into the stage
 * (`stageDirty`: an earlier frame of this transaction left rows there, truncate first), then
 * set-based: a lone `T` row truncates the target; otherwise unchanged TOAST columns are filled
 * from the target (a key the target lacks is a permanent `CDC_UNCHANGED_VALUE_UNKNOWN`), deletes
 * are applied, then inserts and updates upserted. Releases the frame.
 */
export function* applyChangeFrame(target: ChangeTarget, frame: FrameHandle, stageDirty: boolean): Step<AppliedChanges> {
  const { conn, schema, table, columns, key, settings, change } = target;
  if (stageDirty) yield* pg.query(conn, TRUNCATE_CDC_STAGE_SQL);
  const copy = yield* copyInTo(conn, 'pg_temp', CDC_STAGE_TABLE, target.stageColumns);
  yield* pg.copyInWrite(copy, frame);
  frames.release(frame);
  const rows = Number(yield* pg.copyInEnd(copy));
  const staged = stageSummary((yield* pg.query(conn, stageSummarySql(change))).rows[0]);
  if (staged.invalid > 0) {
    throw ConnectorError.permanent(
      'CDC_INVALID_OP',
      `${target.stream}: ${staged.invalid} change rows have an operation (column ${JSON.stringify(change.op)}) other than I, U, D, T`,
      {
        stream: target.stream,
      },
    );
  }
  if (staged.truncates > 0) {
    if (staged.deletes + staged.upserts > 0) {
      throw ConnectorError.permanent(
        'CDC_TRUNCATE_NOT_ALONE',
        `${target.stream}: a truncate (operation T) came in a frame with other changes; it must come alone`,
        {
          stream: target.stream,
        },
      );
    }
    yield* pg.query(conn, truncateTargetSql(schema, table, settings));
    return { rows, upserted: 0, deleted: 0, truncated: true };
  }
  if (staged.unchanged > 0) {
    yield* requireStoredValues(target);
    const fill = unchangedFillSql(schema, table, columns, key, change);
    if (fill !== undefined) yield* pg.query(conn, fill);
  }
  const deleted =
    staged.deletes > 0
      ? Number((yield* pg.query(conn, applyDeletesSql(schema, table, key, change, settings))).rowCount)
      : 0;
  const upserted =
    staged.upserts > 0
      ? Number(
          (yield* pg.query(conn, applyUpsertsSql(schema, table, columns, key, change, settings, target.identityAlways)))
            .rowCount,
        )
      : 0;
  return { rows, upserted, deleted, truncated: false };
}

/** Fails when a staged row says "value unchanged" for a key the target does not hold. */
function* requireStoredValues(target: ChangeTarget): Step<void> {
  const { conn, schema, table, key } = target;
  const missing = (yield* pg.query(conn, unchangedMissingSql(schema, table, key, target.change))).rows;
  if (missing.length === 0) return;
  const columns = [...new Set(missing.flatMap((r) => unchangedList(r[0])))];
  const keys = missing.map(
    (r) =>
      `(${key.join(', ')})=(${r
        .slice(1)
        .map((v) => v ?? 'NULL')
        .join(', ')})`,
  );
  const source = parseStreamName(target.stream);
  throw ConnectorError.permanent(
    'CDC_UNCHANGED_VALUE_UNKNOWN',
    `${target.stream}: update${keys.length > 1 ? 's' : ''} of ${keys.join(', ')} left column${columns.length > 1 ? 's' : ''} ` +
      `${columns.map((c) => JSON.stringify(c)).join(', ')} unchanged (TOAST, not sent by the source), but ` +
      `${quoteQualified(schema, table)} has no row with that key to keep the value from; refusing to write NULL. ` +
      `Run ALTER TABLE ${quoteQualified(source.schema, source.table)} REPLICA IDENTITY FULL on the source, then re-snapshot the stream`,
    { stream: target.stream, column: columns[0] },
  );
}

function unchangedList(text: string | undefined): string[] {
  try {
    const list = JSON.parse(text ?? '[]') as unknown;
    return Array.isArray(list) ? list.map(String) : [];
  } catch {
    return [];
  }
}
