import { sqlstateIsTransient } from '../errors/sqlstate-code.js';
import type { ErrorKind } from '../guest/wit-types.js';

/** What a retry should make of a Postgres error, by SQLSTATE; `undefined` when it is not ours to say. */
export type SqlstateClass = ErrorKind | 'auth';

/**
 * The states the host retries (connection exceptions, resources, shutdowns, serialization,
 * deadlocks, lock waits: the same list as the host's classifier) are transient; 28xxx is an
 * authentication failure (permanent, but worth its own fix-it hint); 42xxx (syntax, undefined
 * object, privilege) is permanent. Anything else is left to the host's classification.
 */
export function sqlstateKind(sqlstate: string | undefined): SqlstateClass | undefined {
  if (!sqlstate || sqlstate.length !== 5) return undefined;
  if (sqlstateIsTransient(sqlstate)) return 'transient';
  if (sqlstate.startsWith('28')) return 'auth';
  if (sqlstate.startsWith('42')) return 'permanent';
  return undefined;
}
