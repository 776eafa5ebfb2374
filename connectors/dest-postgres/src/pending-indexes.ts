import { log, pg, type Step } from '@rapidbyte/sdk';
import { quoteLiteral, quoteQualified } from '@rapidbyte/sdk/postgres';
import { buildDeferredIndexes, dropIndexesForLoad } from './deferred-indexes.js';
import {
  pendingAsDeferred,
  pendingFromComment,
  PENDING_KEY_PREFIX,
  type PendingConstraint,
} from './pending-constraints.js';
import type { WriteSession } from './write-session.js';

/** `$1` = table oid -> (its comment). */
const TABLE_COMMENT_SQL = "SELECT obj_description($1::oid, 'pg_class')";

/**
 * Whether a table this session creates is loaded without its key (`defer_indexes`): not for a
 * shard (the other shards load the same table at the same time), nor when rejected rows are
 * isolated (`on_data_error` skip/dlq, or the attempt after `ROWS_REJECTED`: the key must reject
 * a repeated row as it arrives, not fail the stream at its end), nor for CDC.
 */
export function defersNewTableKey(session: WriteSession): boolean {
  const { stream } = session;
  return (
    session.settings.deferIndexes &&
    stream.shard === undefined &&
    stream.syncMode !== 'cdc' &&
    (session.onDataError ?? 'fail') === 'fail' &&
    session.isolateRows !== true
  );
}

/**
 * Takes the key off a table created a moment ago by this session (still empty) and records it in
 * the table's comment, in one transaction: the table is then loaded as a bare heap, and the key is
 * built once by `buildPendingKey`.
 */
export function* deferNewTableKey(
  conn: number,
  stream: string,
  schema: string,
  table: string,
  oid: string,
): Step<void> {
  const qualified = quoteQualified(schema, table);
  let pending: PendingConstraint[];
  yield* pg.query(conn, 'BEGIN');
  try {
    // a created table has no other index than its key (create-table-ddl.ts)
    pending = (yield* dropIndexesForLoad(conn, oid, qualified)).flatMap((d) =>
      d.constraint ? [{ ...d.constraint, columns: d.columns, kind: d.kind }] : [],
    );
    if (pending.length > 0)
      yield* pg.query(
        conn,
        `COMMENT ON TABLE ${qualified} IS ${quoteLiteral(PENDING_KEY_PREFIX + JSON.stringify(pending))}`,
      );
    yield* pg.query(conn, 'COMMIT');
  } catch (error) {
    yield* rollbackQuietly(conn);
    throw error;
  }
  if (pending.length > 0) log.info(`${stream}: ${qualified} is loaded without its primary key, built at the end`);
}

/** The constraints a table still owes (its comment says so), or none. */
export function* pendingConstraints(conn: number, oid: string | undefined): Step<PendingConstraint[]> {
  if (oid === undefined) return [];
  return pendingFromComment((yield* pg.query(conn, TABLE_COMMENT_SQL, [oid])).rows[0]?.[0]);
}

/**
 * Builds the key a table still owes (none: nothing happens) and clears the comment, in one
 * transaction. Rows that repeat the key fail with `DUPLICATE_KEY`; they stay in the table (they
 * were committed), which keeps its pending key for the next run once they are fixed.
 */
export function* buildPendingKey(
  conn: number,
  stream: string,
  schema: string,
  table: string,
  oid: string | undefined,
): Step<void> {
  const pending = yield* pendingConstraints(conn, oid);
  if (pending.length === 0) return;
  const qualified = quoteQualified(schema, table);
  yield* pg.query(conn, 'BEGIN');
  try {
    yield* buildDeferredIndexes(
      conn,
      stream,
      qualified,
      pendingAsDeferred(pending, qualified),
      `the rows stay in ${qualified} without it until a run builds it: delete the repeated rows and run again`,
    );
    yield* pg.query(conn, `COMMENT ON TABLE ${qualified} IS NULL`);
    yield* pg.query(conn, 'COMMIT');
  } catch (error) {
    yield* rollbackQuietly(conn);
    throw error;
  }
}

function* rollbackQuietly(conn: number): Step<void> {
  try {
    yield* pg.query(conn, 'ROLLBACK');
  } catch {
    // the connection is gone; the server rolled back
  }
}
