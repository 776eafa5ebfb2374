import { ReplicationError } from './replication-error.js';

/** A CopyData message of START_REPLICATION from the server (XLogData or primary keepalive). */
export type ReplicationFrame =
  | {
      readonly type: 'xlog';
      /** WAL position of the start of `data`. */
      readonly walStart: bigint;
      /** Current end of WAL on the server. */
      readonly walEnd: bigint;
      /** Server clock at transmission, µs since 2000-01-01 UTC. */
      readonly clock: bigint;
      /** The pgoutput message (a subarray of the frame, not a copy). */
      readonly data: Buffer;
    }
  | {
      readonly type: 'keepalive';
      readonly walEnd: bigint;
      readonly clock: bigint;
      /** The server asks for a standby status update now (or it may drop the connection). */
      readonly replyRequested: boolean;
    };

const XLOG_HEADER = 25;
const KEEPALIVE_LENGTH = 18;
const STATUS_LENGTH = 34;
/** 2000-01-01T00:00:00Z in ms since the Unix epoch (the Postgres epoch). */
const PG_EPOCH_MS = 946_684_800_000n;

function protocolError(message: string, offset: number): ReplicationError {
  return new ReplicationError('REPLICATION_PROTOCOL', message, { offset });
}

/** Parses one CopyData payload of the replication stream. Throws REPLICATION_PROTOCOL. */
export function parseReplicationFrame(buf: Buffer): ReplicationFrame {
  if (buf.length === 0) throw protocolError('empty replication frame', 0);
  const type = buf[0];
  if (type === 0x77) {
    if (buf.length < XLOG_HEADER)
      throw protocolError(
        `XLogData frame of ${buf.length} bytes is shorter than its ${XLOG_HEADER}-byte header`,
        buf.length,
      );
    return {
      type: 'xlog',
      walStart: buf.readBigUInt64BE(1),
      walEnd: buf.readBigUInt64BE(9),
      clock: buf.readBigInt64BE(17),
      data: buf.subarray(XLOG_HEADER),
    };
  }
  if (type === 0x6b) {
    if (buf.length < KEEPALIVE_LENGTH)
      throw protocolError(`keepalive frame of ${buf.length} bytes, expected ${KEEPALIVE_LENGTH}`, buf.length);
    return {
      type: 'keepalive',
      walEnd: buf.readBigUInt64BE(1),
      clock: buf.readBigInt64BE(9),
      replyRequested: buf[17] !== 0,
    };
  }
  throw protocolError(
    `unknown replication frame type 0x${(type as number).toString(16).padStart(2, '0')} (expected 'w' XLogData or 'k' keepalive)`,
    0,
  );
}

/** Now in µs since 2000-01-01 UTC (the clock of replication messages). */
export function pgClockNow(): bigint {
  return (BigInt(Date.now()) - PG_EPOCH_MS) * 1000n;
}

/**
 * A standby status update ('r'): the positions written, flushed and applied (the server may
 * recycle WAL before `flush`), the client clock, and whether the client wants a reply now.
 */
export function standbyStatusUpdate(
  write: bigint,
  flush: bigint,
  apply: bigint,
  replyRequested: boolean,
  nowMicros: bigint = pgClockNow(),
): Buffer {
  const b = Buffer.allocUnsafe(STATUS_LENGTH);
  b[0] = 0x72;
  b.writeBigUInt64BE(write, 1);
  b.writeBigUInt64BE(flush, 9);
  b.writeBigUInt64BE(apply, 17);
  b.writeBigInt64BE(nowMicros, 25);
  b[33] = replyRequested ? 1 : 0;
  return b;
}
