import type { ErrorCode } from '@rapidbyte/sdk/contract';

/** Stable codes of {@link ReplicationError}; callers branch on these, never on the message. */
export const REPLICATION_ERROR_CODES = [
  /** Text that is not an LSN (`X/Y`, hex halves of at most 8 digits), or a value out of range. */
  'INVALID_LSN',
  /** A CopyBoth frame of START_REPLICATION that is neither XLogData nor keepalive, or is cut short. */
  'REPLICATION_PROTOCOL',
  /** A malformed or truncated pgoutput message, or a change for a relation never announced. */
  'PGOUTPUT_PROTOCOL',
  /** The source table's columns no longer match the stream's (added, dropped or retyped columns). */
  'CDC_SCHEMA_CHANGED',
  /** A column value arrived in text format although binary was requested. */
  'CDC_TEXT_VALUE',
  /** A change whose key cannot be known (an unchanged TOAST key column without an old tuple). */
  'CDC_KEY_UNKNOWN',
  /** The change batch builder was given inconsistent options (unknown key column, upsert without key). */
  'CDC_BAD_OPTIONS',
] as const satisfies readonly ErrorCode[];
export type ReplicationErrorCode = (typeof REPLICATION_ERROR_CODES)[number];

/** Where a {@link ReplicationError} happened, as far as known. */
export interface ReplicationErrorDetails {
  /** Stream name, e.g. 'public.users'. */
  readonly stream?: string;
  /** Column the problem is about. */
  readonly column?: string;
  /** Byte offset inside the message or frame being parsed. */
  readonly offset?: number;
}

/**
 * A replication-stream or change-decoding failure. Always permanent: the same bytes (or the same
 * table shape) give the same error again, so retrying cannot help.
 */
export class ReplicationError extends Error {
  readonly kind = 'permanent' as const;
  readonly stream: string | undefined;
  readonly column: string | undefined;
  readonly offset: number | undefined;

  constructor(
    readonly code: ReplicationErrorCode,
    message: string,
    details: ReplicationErrorDetails = {},
  ) {
    super(message);
    this.name = 'ReplicationError';
    this.stream = details.stream;
    this.column = details.column;
    this.offset = details.offset;
  }
}
