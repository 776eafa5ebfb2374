import type { ErrorCategory, ErrorCode } from './error-codes.js';

/** SQLSTATE classes and codes worth retrying (the server or the network, not the request). */
const TRANSIENT_SQLSTATE_PREFIXES = ['08', '53', '57P', '40', '55P03', '55006'] as const;

/** Stable codes for well-known SQLSTATEs; any other is `SQLSTATE_<state>`. */
const SQLSTATE_CODES: Readonly<Record<string, ErrorCode>> = {
  '28P01': 'AUTH_FAILED',
  '28000': 'AUTH_FAILED',
  '3D000': 'DATABASE_NOT_FOUND',
  '42P01': 'TABLE_NOT_FOUND',
  '42703': 'COLUMN_NOT_FOUND',
  '42501': 'PERMISSION_DENIED',
  '57P01': 'ADMIN_SHUTDOWN',
  '40001': 'SERIALIZATION_FAILURE',
  '40P01': 'DEADLOCK',
  '53300': 'TOO_MANY_CONNECTIONS',
  '55P03': 'LOCK_TIMEOUT',
  // "replication slot … is active for PID n": a walsender that has not exited yet
  '55006': 'OBJECT_IN_USE',
};

/** Whether a string is a SQLSTATE: five digits/capitals with at least one digit (Node's EPIPE is not one). */
export function isSqlstate(code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code) && /[0-9]/.test(code);
}

/** Whether retrying can help: connection exceptions, resources, shutdowns, serialization, lock waits. */
export function sqlstateIsTransient(sqlstate: string): boolean {
  return TRANSIENT_SQLSTATE_PREFIXES.some((p) => sqlstate.startsWith(p));
}

/** The stable error code of a SQLSTATE: a registered name, else `SQLSTATE_<state>`. */
export function sqlstateCode(sqlstate: string): string {
  return SQLSTATE_CODES[sqlstate] ?? `SQLSTATE_${sqlstate}`;
}

/** What a SQLSTATE without a registered name is about, by its class. */
export function sqlstateCategory(sqlstate: string): ErrorCategory {
  if (sqlstate.startsWith('22') || sqlstate.startsWith('23')) return 'data';
  if (sqlstate.startsWith('08') || sqlstate.startsWith('28') || sqlstate.startsWith('3D')) return 'connection';
  return 'failure';
}
