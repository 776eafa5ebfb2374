import type { ErrorKind } from '../guest/wit-types.js';

/** Single SQLSTATEs that are worth retrying (admin shutdown, crash, recovery, serialization, deadlock, too many connections). */
const TRANSIENT_SQLSTATES = ['57P01', '57P02', '57P03', '40001', '40P01', '53300', '55P03'] as const;

/** What a retry should make of a Postgres error, by SQLSTATE; `undefined` when it is not ours to say. */
export type SqlstateClass = ErrorKind | 'auth';

/**
 * 08xxx (connection) and the states above are transient; 28xxx is an authentication failure
 * (permanent, but worth its own fix-it hint); 42xxx (syntax, undefined object, privilege) is
 * permanent. Anything else is left to the host's classification.
 */
export function sqlstateKind(sqlstate: string | undefined): SqlstateClass | undefined {
  if (!sqlstate || sqlstate.length !== 5) return undefined;
  if (sqlstate.startsWith('08') || (TRANSIENT_SQLSTATES as readonly string[]).includes(sqlstate)) return 'transient';
  if (sqlstate.startsWith('28')) return 'auth';
  if (sqlstate.startsWith('42')) return 'permanent';
  return undefined;
}
