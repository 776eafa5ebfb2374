import type { WitConnectorError } from '@rapidbyte/sdk/contract';

/** SQLSTATE classes and codes that are worth retrying (the server or network, not the request). */
const TRANSIENT_SQLSTATE_PREFIXES = ['08', '53', '57P', '40', '55P03'] as const;
const PERMANENT_OVERRIDES = ['57014'] as const; // query_canceled by the user
const TRANSIENT_NODE_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'] as const;

/** Stable codes for well-known SQLSTATEs. */
const SQLSTATE_CODES: Readonly<Record<string, string>> = {
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
};

/**
 * Classifies anything thrown by pg, node:net or the codecs into the WIT error record the guest
 * receives. Messages never contain connection secrets: pg error messages don't carry them and
 * we never append the connection config.
 */
export function classifyError(error: unknown, fallbackCode = 'HOST_ERROR'): WitConnectorError {
  const e = error as { code?: unknown; message?: unknown; column?: unknown; kind?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (e && (e.kind === 'transient' || e.kind === 'permanent') && code) {
    return { kind: e.kind, code, message, column: typeof e.column === 'string' ? e.column : undefined };
  }
  if (code && TRANSIENT_NODE_CODES.includes(code as never)) {
    return { kind: 'transient', code: 'CONNECTION_FAILED', message: `${code}: ${message}` };
  }
  // SQLSTATEs are five digits/capitals with at least one digit (Node's EPIPE is not one).
  if (code && /^[0-9A-Z]{5}$/.test(code) && /[0-9]/.test(code)) {
    // the server's DETAIL and HINT often carry the reason ("cannot add relation … to publication"
    // says why only in its DETAIL: "not supported for unlogged tables")
    const { detail, hint } = error as { detail?: unknown; hint?: unknown };
    const said = [typeof detail === 'string' && detail ? `DETAIL: ${detail}` : '', typeof hint === 'string' && hint ? `HINT: ${hint}` : ''].filter(Boolean);
    const transient =
      !PERMANENT_OVERRIDES.includes(code as never) && TRANSIENT_SQLSTATE_PREFIXES.some((p) => code.startsWith(p));
    return {
      kind: transient ? 'transient' : 'permanent',
      code: SQLSTATE_CODES[code] ?? `SQLSTATE_${code}`,
      message: said.length > 0 ? `${message} (${said.join(' ')})` : message,
      sqlstate: code,
      column: typeof e.column === 'string' ? e.column : undefined,
    };
  }
  // node-postgres after the server closed the connection (e.g. pg_terminate_backend, a restart):
  // the next query on that client fails with "Client has encountered a connection error…"
  if (/Connection terminated|connection timeout|socket hang up|encountered a connection error and is not queryable/i.test(message)) {
    return { kind: 'transient', code: 'CONNECTION_LOST', message };
  }
  return { kind: 'permanent', code: fallbackCode, message };
}
