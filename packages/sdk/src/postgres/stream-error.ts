import { ConnectorError } from '../guest/connector-error.js';
import { sqlstateKind } from './sqlstate-kind.js';

/**
 * Re-raises an error with the stream and what the connector was doing in front of its message.
 * The host's kind and code are kept; a SQLSTATE that is clearly transient or permanent refines
 * the kind. Errors that are not ConnectorErrors are bugs and stay permanent.
 */
export function withStreamContext(error: unknown, stream: string | undefined, doing: string): ConnectorError {
  const prefix = stream ? `${stream}: ${doing}` : doing;
  if (error instanceof ConnectorError) {
    if (error.message.startsWith(stream ? `${stream}:` : prefix)) return error;
    const byState = sqlstateKind(error.sqlstate);
    const kind = byState === 'transient' ? 'transient' : byState === undefined ? error.kind : 'permanent';
    return new ConnectorError(kind, error.code, `${prefix}: ${error.message}`, {
      sqlstate: error.sqlstate,
      stream: error.stream ?? stream,
      column: error.column,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return ConnectorError.permanent('CONNECTOR_BUG', `${prefix}: ${message}`, { stream });
}
