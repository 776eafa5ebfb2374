import { ConnectorError, type Step, type StreamContext, type TransferSummary } from '@rapidbyte/sdk';
import { CDC_WRITE_MODES, isCdcWriteMode } from './cdc-frame.js';
import { writeCdcAppend } from './write-cdc-append.js';
import { writeCdcUpsert } from './write-cdc-upsert.js';
import type { WriteSession } from './write-session.js';

/** A `cdc` stream's write mode must be one of CDC_WRITE_MODES: a permanent error names the allowed pairs. */
export function requireCdcWriteMode(stream: StreamContext): void {
  if (isCdcWriteMode(stream.writeMode)) return;
  throw ConnectorError.permanent(
    'UNSUPPORTED_MODE_PAIR',
    `${stream.name}: sync_mode cdc cannot be loaded with write_mode ${stream.writeMode}; ` +
      `use one of ${CDC_WRITE_MODES.map((m) => `cdc × ${m}`).join(', ')}`,
    { stream: stream.name },
  );
}

/** Loads a `cdc` stream: `upsert` applies the changes, `append` keeps a change log. */
export function* writeCdc(session: WriteSession): Step<TransferSummary> {
  requireCdcWriteMode(session.stream);
  return session.stream.writeMode === 'upsert' ? yield* writeCdcUpsert(session) : yield* writeCdcAppend(session);
}
