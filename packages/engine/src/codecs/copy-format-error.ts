import type { ErrorCode } from '@rapidbyte/sdk/contract';

/** Stable codes of {@link CopyFormatError}; callers branch on these, never on the message. */
export const COPY_FORMAT_ERROR_CODES = [
  'BAD_HEADER',
  'BAD_FIELD_COUNT',
  'BAD_FIELD_LENGTH',
  'BAD_VALUE',
  'VALUE_OUT_OF_RANGE',
  'TRUNCATED',
  'DATA_AFTER_TRAILER',
] as const satisfies readonly ErrorCode[];
export type CopyFormatErrorCode = (typeof COPY_FORMAT_ERROR_CODES)[number];

/**
 * COPY BINARY input could not be decoded (corrupt or truncated stream, or a value Arrow cannot
 * hold). Permanent: feeding the same bytes again gives the same error.
 */
export class CopyFormatError extends Error {
  readonly kind = 'permanent' as const;
  /** Byte offset in the whole stream where the problem was found. */
  readonly offset: number;
  /** Index of the row in the stream (0-based), if inside a row. */
  readonly row: number | undefined;
  /** Column name, if the problem is in one field. */
  readonly column: string | undefined;

  constructor(
    readonly code: CopyFormatErrorCode,
    message: string,
    readonly details: {
      /** Byte offset in the whole stream where the problem was found. */
      readonly offset: number;
      /** Index of the row in the stream (0-based), if inside a row. */
      readonly row?: number;
      /** Column name, if the problem is in one field. */
      readonly column?: string;
    },
  ) {
    super(message);
    this.name = 'CopyFormatError';
    this.offset = details.offset;
    this.row = details.row;
    this.column = details.column;
  }
}
