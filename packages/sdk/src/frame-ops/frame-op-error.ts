import type { ErrorCode } from '../errors/error-codes.js';

/** Stable codes of the host's vectorised frame operations. */
export const FRAME_OP_ERROR_CODES = [
  'COLUMN_NOT_FOUND',
  'BAD_CAST_TYPE',
  'CAST_FAILED',
  'BAD_PREDICATE',
  'BAD_ALGORITHM',
  'UNSUPPORTED_TYPE',
  'BAD_RANGE',
] as const satisfies readonly ErrorCode[];
export type FrameOpErrorCode = (typeof FRAME_OP_ERROR_CODES)[number];

/**
 * A frame operation that cannot be done (a bad argument or a value that does not convert).
 * Always permanent: the same frame fails the same way on a retry.
 */
export class FrameOpError extends Error {
  constructor(
    readonly code: FrameOpErrorCode,
    message: string,
    readonly details: { readonly column?: string; readonly row?: number; readonly value?: string } = {},
  ) {
    super(message);
    this.name = 'FrameOpError';
  }
}

/** The index of a column in a schema, or a `COLUMN_NOT_FOUND` error naming the operation. */
export function columnIndex(fields: readonly { readonly name: string }[], column: string, op: string): number {
  const index = fields.findIndex((f) => f.name === column);
  if (index < 0) {
    throw new FrameOpError(
      'COLUMN_NOT_FOUND',
      `${op}: frame has no column ${JSON.stringify(column)} (columns: ${fields.map((f) => f.name).join(', ')})`,
      { column },
    );
  }
  return index;
}
