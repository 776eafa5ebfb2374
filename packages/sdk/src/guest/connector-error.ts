import type { ErrorCode } from '../errors/error-codes.js';
import type { ErrorKind, WitConnectorError } from './wit-types.js';

/** Optional data an error carries. */
export interface ConnectorErrorDetails {
  readonly sqlstate?: string;
  readonly stream?: string;
  readonly column?: string;
  readonly cause?: unknown;
}

/**
 * An error a connector raises or receives from the host. `kind` drives retries (transient ones
 * are retried from the last checkpoint); `code` is stable and never parsed from the message.
 * `permanent`/`transient` take a code of the SDK's registry (`ERROR_CODES`: its exit code and
 * fix-it hint); the constructor takes any string, as codes arrive over WIT — a code the host does
 * not know is a permanent failure with exit code 1.
 */
export class ConnectorError extends Error {
  readonly sqlstate?: string;
  readonly stream?: string;
  readonly column?: string;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    details: ConnectorErrorDetails = {},
  ) {
    super(message);
    this.name = 'ConnectorError';
    this.sqlstate = details.sqlstate;
    this.stream = details.stream;
    this.column = details.column;
  }

  static permanent(code: ErrorCode, message: string, details?: ConnectorErrorDetails): ConnectorError {
    return new ConnectorError('permanent', code, message, details);
  }

  static transient(code: ErrorCode, message: string, details?: ConnectorErrorDetails): ConnectorError {
    return new ConnectorError('transient', code, message, details);
  }

  static fromWit(e: WitConnectorError): ConnectorError {
    return new ConnectorError(e.kind, e.code, e.message, {
      sqlstate: e.sqlstate,
      stream: e.streamName,
      column: e.column,
    });
  }

  toWit(): WitConnectorError {
    return {
      kind: this.kind,
      code: this.code,
      message: this.message,
      sqlstate: this.sqlstate,
      streamName: this.stream,
      column: this.column,
    };
  }
}

/** Turns anything thrown inside a connector into the WIT error record (unknown errors are permanent). */
export function toWitError(error: unknown): WitConnectorError {
  if (error instanceof ConnectorError) return error.toWit();
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'permanent', code: 'CONNECTOR_BUG', message };
}

/** `CODE: message` of a ConnectorError, the message of any other error: for check reports. */
export function describeError(error: unknown): string {
  if (error instanceof ConnectorError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
