import type { ErrorKind } from '../guest/wit-types.js';
import { ERROR_CATEGORY_EXIT_CODES, ERROR_CODES, type ErrorCategory, type ErrorCode } from './error-codes.js';
import { isSqlstate, sqlstateCategory, sqlstateIsTransient } from './sqlstate-code.js';

/** What the CLI and retries make of an error code. */
export interface ErrorCodeInfo {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly category: ErrorCategory;
  /** The `rapidbyte` exit code of a run that failed with this code. */
  readonly exit: (typeof ERROR_CATEGORY_EXIT_CODES)[ErrorCategory];
  readonly hint: string;
  /** false for a code this version does not register (e.g. a third-party connector's own). */
  readonly known: boolean;
}

/** Whether a string is a registered code. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

/**
 * The kind, category, exit code and hint of any code a stream can fail with: a registered code,
 * `SQLSTATE_<state>` (by the SQLSTATE's class), or a code this version does not know — a
 * third-party connector's own — which is a permanent connector failure (exit 1).
 */
export function errorCodeInfo(code: string): ErrorCodeInfo {
  if (isErrorCode(code)) {
    const spec = ERROR_CODES[code];
    return {
      code,
      kind: spec.kind,
      category: spec.category,
      exit: ERROR_CATEGORY_EXIT_CODES[spec.category],
      hint: spec.hint,
      known: true,
    };
  }
  const sqlstate = code.startsWith('SQLSTATE_') ? code.slice('SQLSTATE_'.length) : undefined;
  if (sqlstate !== undefined && isSqlstate(sqlstate)) {
    const category = sqlstateCategory(sqlstate);
    const hint =
      category === 'data'
        ? `Postgres rejected a value (SQLSTATE ${sqlstate}): fix it at the source, or set destination.on_data_error to skip or dlq`
        : category === 'connection'
          ? `Postgres connection or authentication failure (SQLSTATE ${sqlstate}): check the connector config and that the server is reachable`
          : `Postgres error SQLSTATE ${sqlstate}: see the message (with the server's DETAIL and HINT) and the PostgreSQL error codes appendix`;
    return {
      code,
      kind: sqlstateIsTransient(sqlstate) ? 'transient' : 'permanent',
      category,
      exit: ERROR_CATEGORY_EXIT_CODES[category],
      hint,
      known: true,
    };
  }
  return {
    code,
    kind: 'permanent',
    category: 'failure',
    exit: ERROR_CATEGORY_EXIT_CODES.failure,
    hint: `${code} is the connector's own code: see the message and the connector's documentation`,
    known: false,
  };
}
