import type { PgOutputTag } from './pgoutput-types.js';

/**
 * The first byte of each pgoutput (protocol version 1) message, by the tag `parsePgOutput` gives
 * it. The decoder and the replication hub (which routes raw messages without decoding most of
 * them) both switch on these.
 */
export const PGOUTPUT_TAGS = {
  begin: 0x42, // 'B'
  commit: 0x43, // 'C'
  origin: 0x4f, // 'O'
  relation: 0x52, // 'R'
  type: 0x59, // 'Y'
  insert: 0x49, // 'I'
  update: 0x55, // 'U'
  delete: 0x44, // 'D'
  truncate: 0x54, // 'T'
  message: 0x4d, // 'M'
} as const satisfies Readonly<Record<PgOutputTag, number>>;
