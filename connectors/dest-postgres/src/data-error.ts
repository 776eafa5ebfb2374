import { ConnectorError, type ErrorCode } from '@rapidbyte/sdk';

/** SQLSTATEs (beyond class 22, data exception) that reject one row rather than the load. */
const ROW_REJECTING_SQLSTATES = ['23502', '23514', '23505', '23P01'] as const;

/** Host COPY encoder codes for a value the target column cannot hold. */
const ROW_REJECTING_ENCODE_CODES = [
  'NULL_IN_NOT_NULL',
  'VALUE_OUT_OF_RANGE',
  'UNSUPPORTED_CONVERSION',
] as const satisfies readonly ErrorCode[];

/**
 * Whether an error of a COPY (or merge) is about the rows, not the load: a data exception
 * (class 22: out of range, invalid encoding, bad value), a NOT NULL / check / unique / exclusion
 * violation, or a value the host's COPY encoder cannot write into the target column. Such a
 * batch is re-loaded with the bad rows isolated; anything else fails (or retries) as before.
 */
export function isDataError(error: unknown): error is ConnectorError {
  if (!(error instanceof ConnectorError)) return false;
  const state = error.sqlstate;
  if (state !== undefined)
    return state.startsWith('22') || (ROW_REJECTING_SQLSTATES as readonly string[]).includes(state);
  return (ROW_REJECTING_ENCODE_CODES as readonly string[]).includes(error.code);
}

/** The category a rejected row is dead-lettered under: `destination:<sqlstate or encoder code>`. */
export function rejectionCategory(error: ConnectorError): string {
  return `destination:${error.sqlstate ?? error.code}`;
}
