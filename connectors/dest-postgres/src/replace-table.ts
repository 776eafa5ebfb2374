import { ConnectorError, log, pg, sleep, type Step } from '@rapidbyte/sdk';
import type { DestSettings } from './dest-config.js';
import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';
import {
  DEPENDENT_VIEWS_SQL,
  OWNED_SEQUENCES_SQL,
  OWNERS_SQL,
  REFERENCING_FOREIGN_KEYS_SQL,
  TABLE_GRANTS_SQL,
  grantStatements,
  grantsFromRows,
  swapBackoffMs,
} from './swap-queries.js';
import { tableOid } from './target-table.js';

/** Postgres `lock_not_available`: the LOCK (or a DROP) waited longer than `lock_timeout`. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Swaps a loaded staging table in for the target, in ONE transaction, so readers see either the
 * old table or the new one, never a half-loaded one: lock the target (bounded by lock_timeout),
 * refuse when views or foreign keys depend on it, carry its grants, owner and serial sequences
 * over to the staging table, drop it, rename the staging table. A lock timeout rolls back and
 * retries with backoff (100 ms doubling, capped at 5 s) up to `swapRetries` times. `inSwap` runs
 * inside the swap transaction right before its COMMIT (the watermark is written there).
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
        log.warn(`${stream}: ${quoteQualified(settings.schema, table)} is locked; swap retry ${attempt + 1}/${settings.swapRetries} in ${delay} ms`);
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
  if (targetOid) {
    yield* pg.query(conn, `LOCK TABLE ${target} IN ACCESS EXCLUSIVE MODE`);
    yield* refuseDependents(conn, stream, target, targetOid);
    const stagingOid = (yield* tableOid(conn, schema, staging)) ?? '0';
    yield* copyGrantsAndOwner(conn, stream, target, stage, targetOid, stagingOid);
    const sequences = (yield* pg.query(conn, OWNED_SEQUENCES_SQL, [targetOid])).rows;
    for (const [seqSchema, seqName, column] of sequences) {
      yield* pg.query(conn, `ALTER SEQUENCE ${quoteQualified(seqSchema ?? '', seqName ?? '')} OWNED BY ${stage}.${quoteIdent(column ?? '')}`);
    }
    yield* pg.query(conn, `DROP TABLE ${target}`);
  }
  yield* pg.query(conn, `ALTER TABLE ${stage} RENAME TO ${quoteIdent(table)}`);
  yield* inSwap();
  yield* pg.query(conn, 'COMMIT');
  log.info(`${stream}: swapped ${stage} in as ${target}${targetOid ? '' : ' (new table)'}`);
}

function* refuseDependents(conn: number, stream: string, target: string, targetOid: string): Step<void> {
  const views = (yield* pg.query(conn, DEPENDENT_VIEWS_SQL, [targetOid])).rows.map((r) => r[0] ?? '');
  if (views.length > 0) {
    throw ConnectorError.permanent(
      'DEPENDENT_VIEW',
      `${stream}: cannot replace ${target}: views depend on it: ${views.join(', ')}. Drop them before the run ` +
        `and recreate them after, or use write_mode append/upsert`,
      { stream },
    );
  }
  const keys = (yield* pg.query(conn, REFERENCING_FOREIGN_KEYS_SQL, [targetOid])).rows.map((r) => r[0] ?? '');
  if (keys.length > 0) {
    throw ConnectorError.permanent(
      'DEPENDENT_FOREIGN_KEY',
      `${stream}: cannot replace ${target}: foreign keys reference it: ${keys.join(', ')}. Drop them or use write_mode append/upsert`,
      { stream },
    );
  }
}

/** Re-applies the target's grants to the staging table, then its owner; what is not permitted is logged and skipped. */
function* copyGrantsAndOwner(conn: number, stream: string, target: string, stage: string, targetOid: string, stagingOid: string): Step<void> {
  const grants = grantStatements(stage, grantsFromRows((yield* pg.query(conn, TABLE_GRANTS_SQL, [targetOid])).rows));
  yield* inSavepoint(conn, 'rb_grants', function* () {
    for (const sql of grants) yield* pg.query(conn, sql);
  }, `${stream}: could not re-apply the grants of ${target}`);
  const owners = (yield* pg.query(conn, OWNERS_SQL, [targetOid, stagingOid])).rows[0];
  const targetOwner = owners?.[0];
  if (targetOwner && targetOwner !== owners?.[1]) {
    yield* inSavepoint(conn, 'rb_owner', function* () {
      yield* pg.query(conn, `ALTER TABLE ${stage} OWNER TO ${quoteIdent(targetOwner)}`);
    }, `${stream}: could not make ${quoteIdent(targetOwner)} the owner as it owned ${target}`);
  }
}

function* inSavepoint(conn: number, name: string, body: () => Step<void>, warning: string): Step<void> {
  yield* pg.query(conn, `SAVEPOINT ${name}`);
  try {
    yield* body();
    yield* pg.query(conn, `RELEASE SAVEPOINT ${name}`);
  } catch (error) {
    if (!(error instanceof ConnectorError) || error.sqlstate === undefined || error.sqlstate === LOCK_NOT_AVAILABLE) throw error;
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
