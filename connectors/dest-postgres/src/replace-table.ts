import { ConnectorError, log, pg, sleep, type Step } from '@rapidbyte/sdk';
import type { DestSettings } from './dest-config.js';
import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';
import {
  DEPENDENT_VIEWS_SQL,
  OWNED_SEQUENCES_SQL,
  OWNERS_SQL,
  TABLE_GRANTS_SQL,
  grantStatements,
  grantsFromRows,
  swapBackoffMs,
} from './swap-queries.js';
import {
  COLUMN_GRANTS_SQL,
  PRIMARY_KEY_INDEX_SQL,
  REFERENCING_FOREIGN_KEYS_SQL,
  TABLE_DEFINITION_SQL,
  primaryKeyName,
  referencingForeignKeysFromRows,
  type ReferencingForeignKey,
} from './table-definition-sql.js';
import { tableOid } from './target-table.js';

/** Postgres `lock_not_available`: the LOCK (or a DROP) waited longer than `lock_timeout`. */
const LOCK_NOT_AVAILABLE = '55P03';
/** Postgres `insufficient_privilege`. */
const INSUFFICIENT_PRIVILEGE = '42501';
/** Postgres `foreign_key_violation`. */
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Swaps a loaded staging table in for the target, in ONE transaction, so readers see either the
 * old table or the new one, never a half-loaded one: lock the target (bounded by lock_timeout),
 * refuse when views depend on it, carry its grants (table and column), owner and serial
 * sequences over to the staging table, drop the foreign keys of other tables that reference it,
 * drop it, rename the staging table, then give the new table the rest of the old one's
 * definition (TABLE_DEFINITION_SQL: index, constraint and statistics names, self-referencing
 * foreign keys, triggers, comments, row-level security and policies, replica identity) and add
 * the referencing foreign keys back, checked against the new rows. A new table's primary key is
 * named after the table. A lock timeout rolls back and retries with backoff (100 ms doubling,
 * capped at 5 s) up to `swapRetries` times. `inSwap` runs inside the swap transaction right
 * before its COMMIT (the watermark is written there).
 */
export function* replaceTable(
  conn: number,
  settings: DestSettings,
  stream: string,
  table: string,
  staging: string,
  inSwap: () => Step<void> = function* () {},
): Step<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      yield* swapOnce(conn, settings, stream, table, staging, inSwap);
      return;
    } catch (error) {
      yield* rollbackQuietly(conn);
      const timedOut = error instanceof ConnectorError && error.sqlstate === LOCK_NOT_AVAILABLE;
      if (timedOut && attempt < settings.swapRetries) {
        const delay = swapBackoffMs(attempt);
        log.warn(
          `${stream}: ${quoteQualified(settings.schema, table)} is locked; swap retry ${attempt + 1}/${settings.swapRetries} in ${delay} ms`,
        );
        yield* sleep(delay);
        continue;
      }
      if (timedOut) {
        throw ConnectorError.transient(
          'LOCK_TIMEOUT',
          `${stream}: could not lock ${quoteQualified(settings.schema, table)} within ${settings.lockTimeoutMs} ms after ` +
            `${attempt + 1} attempts; long-running queries hold it (raise lock_timeout_ms or swap_retries)`,
          { stream, sqlstate: LOCK_NOT_AVAILABLE },
        );
      }
      throw error;
    }
  }
}

function* swapOnce(
  conn: number,
  settings: DestSettings,
  stream: string,
  table: string,
  staging: string,
  inSwap: () => Step<void>,
): Step<void> {
  const { schema } = settings;
  const target = quoteQualified(schema, table);
  const stage = quoteQualified(schema, staging);
  yield* pg.query(conn, 'BEGIN');
  yield* pg.query(conn, `SET LOCAL lock_timeout = '${Math.trunc(settings.lockTimeoutMs)}ms'`);
  const targetOid = yield* tableOid(conn, schema, table);
  const stagingOid = (yield* tableOid(conn, schema, staging)) ?? '0';
  if (targetOid) {
    yield* pg.query(conn, `LOCK TABLE ${target} IN ACCESS EXCLUSIVE MODE`);
    yield* refuseDependentViews(conn, stream, target, targetOid);
    // read before the target is dropped; run once the staging table carries its name
    const definition = (yield* pg.query(conn, TABLE_DEFINITION_SQL, [targetOid, stagingOid, target])).rows.map(
      (r) => r[0] ?? '',
    );
    const referencing = referencingForeignKeysFromRows(
      (yield* pg.query(conn, REFERENCING_FOREIGN_KEYS_SQL, [targetOid])).rows,
    );
    yield* copyGrantsAndOwner(conn, stream, target, stage, targetOid, stagingOid);
    const sequences = (yield* pg.query(conn, OWNED_SEQUENCES_SQL, [targetOid])).rows;
    for (const [seqSchema, seqName, column] of sequences) {
      yield* pg.query(
        conn,
        `ALTER SEQUENCE ${quoteQualified(seqSchema ?? '', seqName ?? '')} OWNED BY ${stage}.${quoteIdent(column ?? '')}`,
      );
    }
    for (const key of referencing) yield* dropReferencingKey(conn, stream, target, key);
    yield* pg.query(conn, `DROP TABLE ${target}`);
    yield* pg.query(conn, `ALTER TABLE ${stage} RENAME TO ${quoteIdent(table)}`);
    for (const sql of definition) yield* pg.query(conn, sql);
    for (const key of referencing) yield* restoreReferencingKey(conn, stream, target, key);
  } else {
    yield* pg.query(conn, `ALTER TABLE ${stage} RENAME TO ${quoteIdent(table)}`);
    yield* namePrimaryKeyAfterTable(conn, stream, schema, table, stagingOid);
  }
  yield* inSwap();
  yield* pg.query(conn, 'COMMIT');
  log.info(`${stream}: swapped ${stage} in as ${target}${targetOid ? '' : ' (new table)'}`);
}

function* refuseDependentViews(conn: number, stream: string, target: string, targetOid: string): Step<void> {
  const views = (yield* pg.query(conn, DEPENDENT_VIEWS_SQL, [targetOid])).rows.map((r) => r[0] ?? '');
  if (views.length > 0) {
    throw ConnectorError.permanent(
      'DEPENDENT_VIEW',
      `${stream}: cannot replace ${target}: views depend on it: ${views.join(', ')}. Drop them before the run ` +
        `and recreate them after, or use write_mode append/upsert`,
      { stream },
    );
  }
}

/**
 * Drops a foreign key of another table that references the target (it is added back after the
 * swap). A role that may not alter that table gets a permanent `DEPENDENT_FOREIGN_KEY` naming it.
 */
function* dropReferencingKey(conn: number, stream: string, target: string, key: ReferencingForeignKey): Step<void> {
  try {
    yield* pg.query(conn, key.drop);
  } catch (error) {
    if (error instanceof ConnectorError && error.sqlstate === INSUFFICIENT_PRIVILEGE) {
      throw ConnectorError.permanent(
        'DEPENDENT_FOREIGN_KEY',
        `${stream}: cannot replace ${target}: the foreign key ${quoteIdent(key.name)} of ${key.table} references it and must be ` +
          `recreated to reference the new table, which needs ownership of ${key.table} (${error.message}). Run as its owner, ` +
          `drop the constraint, or use write_mode append/upsert`,
        { stream, sqlstate: INSUFFICIENT_PRIVILEGE },
      );
    }
    throw error;
  }
}

/**
 * Adds a foreign key of another table back, now referencing the new table, and checks it: rows
 * of that table whose key the new data lacks fail the swap (the old table stays) with a
 * permanent `REFERENCED_ROWS_MISSING` naming the table and the constraint.
 */
function* restoreReferencingKey(conn: number, stream: string, target: string, key: ReferencingForeignKey): Step<void> {
  try {
    yield* pg.query(conn, key.add);
  } catch (error) {
    if (error instanceof ConnectorError && error.sqlstate === FOREIGN_KEY_VIOLATION) {
      throw ConnectorError.permanent(
        'REFERENCED_ROWS_MISSING',
        `${stream}: cannot replace ${target}: rows of ${key.table} reference keys the new data lacks (foreign key ` +
          `${quoteIdent(key.name)}: ${error.message}); the old table is kept. Delete or fix those rows, load the ` +
          `missing keys, or drop the constraint`,
        { stream, sqlstate: FOREIGN_KEY_VIOLATION },
      );
    }
    throw error;
  }
  if (key.comment !== undefined) yield* pg.query(conn, key.comment);
}

/**
 * A table created by `replace` got its primary key from the staging table's CREATE
 * (`<staging>_pkey`); gives it the name a CREATE of the table itself would have, when free.
 */
function* namePrimaryKeyAfterTable(
  conn: number,
  stream: string,
  schema: string,
  table: string,
  oid: string,
): Step<void> {
  const pk = (yield* pg.query(conn, PRIMARY_KEY_INDEX_SQL, [oid])).rows[0];
  const wanted = primaryKeyName(table);
  if (!pk || pk[1] === wanted) return;
  const taken = yield* tableOid(conn, schema, wanted);
  if (taken) {
    log.warn(
      `${stream}: the primary key of ${quoteQualified(schema, table)} keeps the name ${quoteIdent(pk[1] ?? '')}: ${quoteQualified(schema, wanted)} exists`,
    );
    return;
  }
  // another stream's swap may take the same name concurrently (two tables whose names are cut to
  // the same 58 bytes): its uncommitted rename is invisible to the check above, and ours then fails
  // with 42P07 once it commits; the key keeps its staging name instead of failing the stream
  yield* inSavepoint(
    conn,
    'rb_pkey_name',
    function* () {
      yield* pg.query(conn, `ALTER INDEX ${pk[0] ?? ''} RENAME TO ${quoteIdent(wanted)}`);
    },
    `${stream}: the primary key of ${quoteQualified(schema, table)} keeps the name ${quoteIdent(pk[1] ?? '')}`,
  );
}

/** Re-applies the target's grants to the staging table, then its owner; what is not permitted is logged and skipped. */
function* copyGrantsAndOwner(
  conn: number,
  stream: string,
  target: string,
  stage: string,
  targetOid: string,
  stagingOid: string,
): Step<void> {
  const grants = [
    ...grantStatements(stage, grantsFromRows((yield* pg.query(conn, TABLE_GRANTS_SQL, [targetOid])).rows)),
    ...(yield* pg.query(conn, COLUMN_GRANTS_SQL, [targetOid, stage])).rows.map((r) => r[0] ?? ''),
  ];
  yield* inSavepoint(
    conn,
    'rb_grants',
    function* () {
      for (const sql of grants) yield* pg.query(conn, sql);
    },
    `${stream}: could not re-apply the grants of ${target}`,
  );
  const owners = (yield* pg.query(conn, OWNERS_SQL, [targetOid, stagingOid])).rows[0];
  const targetOwner = owners?.[0];
  if (targetOwner && targetOwner !== owners?.[1]) {
    yield* inSavepoint(
      conn,
      'rb_owner',
      function* () {
        yield* pg.query(conn, `ALTER TABLE ${stage} OWNER TO ${quoteIdent(targetOwner)}`);
      },
      `${stream}: could not make ${quoteIdent(targetOwner)} the owner as it owned ${target}`,
    );
  }
}

function* inSavepoint(conn: number, name: string, body: () => Step<void>, warning: string): Step<void> {
  yield* pg.query(conn, `SAVEPOINT ${name}`);
  try {
    yield* body();
    yield* pg.query(conn, `RELEASE SAVEPOINT ${name}`);
  } catch (error) {
    if (!(error instanceof ConnectorError) || error.sqlstate === undefined || error.sqlstate === LOCK_NOT_AVAILABLE)
      throw error;
    yield* pg.query(conn, `ROLLBACK TO SAVEPOINT ${name}`);
    log.warn(`${warning}: ${error.message}`);
  }
}

function* rollbackQuietly(conn: number): Step<void> {
  try {
    yield* pg.query(conn, 'ROLLBACK');
  } catch {
    // the connection is gone; the server rolled back
  }
}
