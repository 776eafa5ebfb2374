import type { ErrorCode } from '@rapidbyte/sdk/contract';

/** Stable codes of {@link CopyEncodeError}; callers branch on these, never on the message. */
export const COPY_ENCODE_ERROR_CODES = [
  'MISSING_COLUMN',
  'NULL_IN_NOT_NULL',
  'UNSUPPORTED_CONVERSION',
  'VALUE_OUT_OF_RANGE',
] as const satisfies readonly ErrorCode[];
export type CopyEncodeErrorCode = (typeof COPY_ENCODE_ERROR_CODES)[number];

/**
 * An Arrow batch could not be written as COPY BINARY for the target table: a column is missing,
 * its Arrow type has no writer for the target Postgres type, or one value cannot be represented.
 * Permanent: the same batch fails the same way.
 */
export class CopyEncodeError extends Error {
  readonly kind = 'permanent' as const;
  /** Target column name. */
  readonly column: string;
  /** Row index in the batch, when one value is at fault. */
  readonly row: number | undefined;
  /** Byte offset in the encoded output, when one value is at fault. */
  readonly offset: number | undefined;

  constructor(
    readonly code: CopyEncodeErrorCode,
    message: string,
    readonly details: {
      /** Target column name. */
      readonly column: string;
      /** Row index in the batch, when one value is at fault. */
      readonly row?: number;
      /** Byte offset in the encoded output where the row starts, when one value is at fault. */
      readonly offset?: number;
      /** The offending value, rendered as a string. */
      readonly value?: string;
      readonly arrowType?: string;
      readonly pgType?: string;
    },
  ) {
    super(message);
    this.name = 'CopyEncodeError';
    this.column = details.column;
    this.row = details.row;
    this.offset = details.offset;
  }
}
