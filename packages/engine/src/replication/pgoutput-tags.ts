import type { PgOutputTag } from './pgoutput-types.js';

/**
 * The first byte of each pgoutput message (protocol version 1, and the streaming messages of
 * version 2), by the tag `parsePgOutput` gives it. The decoder and the replication hub (which
 * routes raw messages without decoding most of them) both switch on these.
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
  streamStart: 0x53, // 'S'
  streamStop: 0x45, // 'E'
  streamCommit: 0x63, // 'c'
  streamAbort: 0x41, // 'A'
} as const satisfies Readonly<Record<PgOutputTag, number>>;

/**
 * Tags of the messages that carry the (sub)transaction's xid after the tag inside a streamed
 * chunk (between Stream Start and Stream Stop, protocol version 2): the same messages as in
 * version 1 otherwise.
 */
export const STREAMED_XID_TAGS: ReadonlySet<number> = new Set([
  PGOUTPUT_TAGS.relation,
  PGOUTPUT_TAGS.type,
  PGOUTPUT_TAGS.insert,
  PGOUTPUT_TAGS.update,
  PGOUTPUT_TAGS.delete,
  PGOUTPUT_TAGS.truncate,
  PGOUTPUT_TAGS.message,
]);
