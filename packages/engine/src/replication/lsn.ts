import { ReplicationError } from './replication-error.js';

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;
const MAX_LSN = (1n << 64n) - 1n;

/** Parses a Postgres LSN (`16/B374D848`) into its 64-bit position. Throws INVALID_LSN. */
export function parseLsn(text: string): bigint {
  const m = LSN_TEXT.exec(text);
  if (m === null) {
    throw new ReplicationError(
      'INVALID_LSN',
      `invalid LSN ${JSON.stringify(text)}: expected two hex numbers of 1–8 digits like "16/B374D848"`,
    );
  }
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** Formats a 64-bit WAL position the way Postgres prints `pg_lsn` (`16/B374D848`). Throws INVALID_LSN. */
export function formatLsn(lsn: bigint): string {
  if (lsn < 0n || lsn > MAX_LSN) throw new ReplicationError('INVALID_LSN', `LSN ${lsn} is outside 0 … 2^64-1`);
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
