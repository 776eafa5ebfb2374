import {
  isSqlstate,
  sqlstateCode,
  sqlstateIsTransient,
  type ErrorCode,
  type WitConnectorError,
} from '@rapidbyte/sdk/contract';

const TRANSIENT_NODE_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
] as const;

/**
 * Classifies anything thrown by pg, node:net or the codecs into the WIT error record the guest
 * receives. Messages never contain connection secrets: pg error messages don't carry them and
 * we never append the connection config.
 */
export function classifyError(error: unknown, fallbackCode: ErrorCode = 'HOST_ERROR'): WitConnectorError {
  const e = error as { code?: unknown; message?: unknown; column?: unknown; kind?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (e && (e.kind === 'transient' || e.kind === 'permanent') && code) {
    return { kind: e.kind, code, message, column: typeof e.column === 'string' ? e.column : undefined };
  }
  if (code && TRANSIENT_NODE_CODES.includes(code as never)) {
    return { kind: 'transient', code: 'CONNECTION_FAILED', message: `${code}: ${message}` };
  }
  if (code && isSqlstate(code)) {
    // the server's DETAIL and HINT often carry the reason ("cannot add relation … to publication"
    // says why only in its DETAIL: "not supported for unlogged tables")
    const { detail, hint } = error as { detail?: unknown; hint?: unknown };
    const said = [
      typeof detail === 'string' && detail ? `DETAIL: ${detail}` : '',
      typeof hint === 'string' && hint ? `HINT: ${hint}` : '',
    ].filter(Boolean);
    return {
      kind: sqlstateIsTransient(code) ? 'transient' : 'permanent',
      code: sqlstateCode(code, message),
      message: said.length > 0 ? `${message} (${said.join(' ')})` : message,
      sqlstate: code,
      column: typeof e.column === 'string' ? e.column : undefined,
    };
  }
  // node-postgres after the server closed the connection (e.g. pg_terminate_backend, a restart):
  // the next query on that client fails with "Client has encountered a connection error…"; a
  // replication connection reports "terminating connection…" or a reset socket only in its message
  if (/terminat|ECONNRESET|timeout|socket hang up|encountered a connection error and is not queryable/i.test(message)) {
    return { kind: 'transient', code: 'CONNECTION_LOST', message };
  }
  return { kind: 'permanent', code: fallbackCode, message };
}
