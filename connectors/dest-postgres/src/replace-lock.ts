import { log, pg, type Step } from '@rapidbyte/sdk';
import { REPLACE_LOCK_SQL, REPLACE_UNLOCK_SQL, TRY_REPLACE_LOCK_SQL } from './swap-queries.js';

/**
 * Runs `body` (load the staging table, swap it in) holding a session-level advisory lock keyed
 * by the target's name, so two runs replacing the same table (two pipelines, or a rerun while
 * the last one is still swapping) take turns instead of sharing one staging table name: the
 * second waits for the first to finish, then loads and swaps, and the table ends as its copy.
 * The lock spans several transactions (the load commits before the swap), hence session-level;
 * it is released when `body` ends either way, and by the server if the connection dies.
 */
export function* withReplaceLock<T>(conn: number, stream: string, target: string, body: () => Step<T>): Step<T> {
  const free = (yield* pg.query(conn, TRY_REPLACE_LOCK_SQL, [target])).rows[0]?.[0];
  if (free !== 't' && free !== 'true') {
    log.info(`${stream}: another run is replacing ${target}; waiting for it to finish`);
    yield* pg.query(conn, REPLACE_LOCK_SQL, [target]);
  }
  let result: T;
  try {
    result = yield* body();
  } catch (error) {
    // a failed statement leaves its transaction aborted, where the unlock could not run
    yield* quietly(conn, 'ROLLBACK');
    yield* quietly(conn, REPLACE_UNLOCK_SQL, [target]);
    throw error;
  }
  yield* pg.query(conn, REPLACE_UNLOCK_SQL, [target]);
  return result;
}

function* quietly(conn: number, sql: string, params: string[] = []): Step<void> {
  try {
    yield* pg.query(conn, sql, params);
  } catch {
    // the connection is gone, and the lock with it
  }
}
