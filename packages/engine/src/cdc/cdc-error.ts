import type { ErrorCode, WitConnectorError } from '@rapidbyte/sdk/contract';
import { classifyError } from '../errors/classify-error.js';

/** Stable codes of CDC failures the hub and the replication capability raise. */
export const CDC_ERROR_CODES = [
  'SLOT_INVALIDATED',
  'SLOT_MISSING',
  'SLOT_NOT_PGOUTPUT',
  'SLOT_CREATE_TIMEOUT',
  'LSN_GAP',
  'STREAM_ATTACHED',
  'STREAM_NOT_ATTACHED',
  'REPLICATION_FAILED',
  'REPLICATION_UNAVAILABLE',
  'BAD_HANDLE',
] as const satisfies readonly ErrorCode[];
export type CdcErrorCode = (typeof CDC_ERROR_CODES)[number];

/** A permanent CDC error carrying its code and stream (what classify-error passes to the guest). */
export function cdcError(
  code: CdcErrorCode,
  message: string,
  stream?: string,
): Error & { kind: 'permanent'; code: CdcErrorCode; stream?: string } {
  return Object.assign(new Error(message), { kind: 'permanent' as const, code, stream });
}

/**
 * What every stream of a replication hub gets when its replication connection fails: classified
 * like any other host error (a terminated connection, or a slot still held by a walsender that has
 * not exited yet, SQLSTATE 55006, is worth a retry; a typed error keeps its code), the message
 * naming the slot.
 */
export function replicationFailure(slot: string, error: unknown): WitConnectorError {
  const classified = classifyError(error, 'REPLICATION_FAILED');
  return { ...classified, message: `replication from slot "${slot}" failed: ${classified.message}` };
}
