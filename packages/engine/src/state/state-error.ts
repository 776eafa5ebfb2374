import type { ErrorCode } from '@rapidbyte/sdk/contract';

/** Stable codes of {@link StateError}; callers branch on these, never on the message. */
export const STATE_ERROR_CODES = [
  'PIPELINE_LOCKED',
  'ILLEGAL_TRANSITION',
  'RUN_NOT_FOUND',
  'RUN_ALREADY_FINISHED',
  'STREAM_NOT_FOUND',
  'DUPLICATE_STREAM',
  'INVALID_ARGUMENT',
  'SCHEMA_TOO_NEW',
  'STORE_CLOSED',
] as const satisfies readonly ErrorCode[];
export type StateErrorCode = (typeof STATE_ERROR_CODES)[number];

/**
 * A state DB operation was refused (illegal transition, lock held, bad argument, ...).
 * Always permanent: retrying the same call gives the same answer. `details` carries the data
 * the message names (e.g. the lock holder), so callers never parse the message.
 */
export class StateError extends Error {
  readonly kind = 'permanent' as const;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    readonly code: StateErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StateError';
    this.details = Object.freeze({ ...options?.details });
  }
}
