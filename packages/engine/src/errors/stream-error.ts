import type { ErrorKind } from '@rapidbyte/sdk/contract';

/** Optional data a StreamError carries. */
export interface StreamErrorDetails {
  readonly cause?: unknown;
  readonly sqlstate?: string;
  readonly column?: string;
  readonly lsn?: string;
}

/**
 * An error in one stream's chain (source, transform, destination or host capability). `kind`
 * drives retries; `code` is stable and maps to the CLI's exit code and hint.
 */
export class StreamError extends Error {
  readonly sqlstate?: string;
  readonly column?: string;
  readonly lsn?: string;

  constructor(
    readonly stream: string,
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    details: StreamErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'StreamError';
    this.sqlstate = details.sqlstate;
    this.column = details.column;
    this.lsn = details.lsn;
  }

  toJSON(): Record<string, unknown> {
    return {
      stream: this.stream,
      kind: this.kind,
      code: this.code,
      message: this.message,
      sqlstate: this.sqlstate,
      column: this.column,
    };
  }
}
