import { ConnectorError, type OperationInput, type Step, type TransferSummary } from '@rapidbyte/sdk';
import { readCdc } from './read-cdc.js';
import { readFullRefresh } from './read-full-refresh.js';
import { readIncremental } from './read-incremental.js';
import type { SourceConfig } from './source-config.js';

/** The sync modes this connector reads. */
export const SUPPORTED_SYNC_MODES = ['full_refresh', 'incremental', 'cdc'] as const;

/** `read`: dispatches on the stream's sync mode. */
export function* readStream({ config, context }: OperationInput<SourceConfig>): Step<TransferSummary> {
  const stream = context.stream;
  if (!stream) throw ConnectorError.permanent('NO_STREAM', 'read needs a stream in the session context');
  if (stream.syncMode === 'full_refresh') return yield* readFullRefresh(config, context, stream);
  if (stream.syncMode === 'incremental') return yield* readIncremental(config, context, stream);
  if (stream.syncMode === 'cdc') return yield* readCdc(config, context, stream);
  throw ConnectorError.permanent(
    'UNSUPPORTED_SYNC_MODE',
    `${stream.name}: sync_mode ${String(stream.syncMode)} is not supported by source-postgres; use one of ${SUPPORTED_SYNC_MODES.join(', ')}`,
    { stream: stream.name },
  );
}
