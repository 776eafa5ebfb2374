/**
 * The pgoutput logical replication messages (protocol version 1, and version 2's streaming of
 * large in-progress transactions), as parsed by `parsePgOutput`.
 * LSNs are 64-bit WAL positions; times are µs since 2000-01-01 UTC. Byte payloads are subarrays
 * of the message buffer (no copies): copy them to keep them past the message.
 */

/** A column value that is unchanged TOAST: the server did not send it (it did not change). */
export const UNCHANGED: unique symbol = Symbol('rapidbyte.unchanged-toast');
export type Unchanged = typeof UNCHANGED;

/** One column of a TupleData: NULL, unchanged TOAST, or the value in text or binary send format. */
export type TupleValue = null | Unchanged | { readonly text: Buffer } | { readonly binary: Buffer };
export type TupleData = readonly TupleValue[];

/** Kinds of old tuple: 'K' = the replica identity key columns only, 'O' = the whole old row (REPLICA IDENTITY FULL). */
export const OLD_TUPLE_KINDS = ['K', 'O'] as const;
export type OldTupleKind = (typeof OLD_TUPLE_KINDS)[number];

export interface OldTuple {
  readonly kind: OldTupleKind;
  readonly tuple: TupleData;
}

export interface BeginMessage {
  readonly tag: 'begin';
  /** LSN of the commit record of the transaction (what a change frame's `_rb_lsn` holds). */
  readonly finalLsn: bigint;
  readonly commitTime: bigint;
  readonly xid: number;
}

export interface CommitMessage {
  readonly tag: 'commit';
  readonly flags: number;
  readonly commitLsn: bigint;
  /** End of the commit record: the position to acknowledge once the transaction is applied. */
  readonly endLsn: bigint;
  readonly commitTime: bigint;
}

export interface OriginMessage {
  readonly tag: 'origin';
  readonly commitLsn: bigint;
  readonly name: string;
}

export interface RelationColumn {
  /** Part of the replica identity key (flags bit 1). */
  readonly key: boolean;
  readonly name: string;
  /** `atttypid` (for a domain: the domain's OID). */
  readonly typeOid: number;
  readonly typeMod: number;
}

export interface RelationMessage {
  readonly tag: 'relation';
  /** Inside a streamed chunk only: the xid of the (sub)transaction the message belongs to. */
  readonly xid?: number;
  readonly relationId: number;
  readonly namespace: string;
  readonly name: string;
  /** REPLICA IDENTITY: 'd' default, 'n' nothing, 'f' full, 'i' index. */
  readonly replicaIdentity: string;
  readonly columns: readonly RelationColumn[];
}

export interface TypeMessage {
  readonly tag: 'type';
  /** Inside a streamed chunk only: the xid of the (sub)transaction the message belongs to. */
  readonly xid?: number;
  readonly typeOid: number;
  readonly namespace: string;
  readonly name: string;
}

export interface InsertMessage {
  readonly tag: 'insert';
  /** Inside a streamed chunk only: the xid of the (sub)transaction the message belongs to. */
  readonly xid?: number;
  readonly relationId: number;
  readonly newTuple: TupleData;
}

export interface UpdateMessage {
  readonly tag: 'update';
  /** Inside a streamed chunk only: the xid of the (sub)transaction the message belongs to. */
  readonly xid?: number;
  readonly relationId: number;
  /** Sent when the key changed ('K') or under REPLICA IDENTITY FULL ('O'). */
  readonly old?: OldTuple;
  readonly newTuple: TupleData;
}

export interface DeleteMessage {
  readonly tag: 'delete';
  /** Inside a streamed chunk only: the xid of the (sub)transaction the message belongs to. */
  readonly xid?: number;
  readonly relationId: number;
  readonly old: OldTuple;
}

export interface TruncateMessage {
  readonly tag: 'truncate';
  /** Inside a streamed chunk only: the xid of the (sub)transaction the message belongs to. */
  readonly xid?: number;
  readonly cascade: boolean;
  readonly restartIdentity: boolean;
  readonly relationIds: readonly number[];
}

export interface LogicalMessage {
  readonly tag: 'message';
  /** Inside a streamed chunk only: the xid of the (sub)transaction the message belongs to. */
  readonly xid?: number;
  readonly transactional: boolean;
  readonly lsn: bigint;
  readonly prefix: string;
  readonly content: Buffer;
}

/** Stream Start: a chunk of the in-progress transaction `xid` follows, up to Stream Stop. */
export interface StreamStartMessage {
  readonly tag: 'streamStart';
  readonly xid: number;
  /** The transaction's first chunk. */
  readonly firstSegment: boolean;
}

export interface StreamStopMessage {
  readonly tag: 'streamStop';
}

/** The streamed transaction `xid` committed: its chunks apply as one transaction, like Begin … Commit. */
export interface StreamCommitMessage {
  readonly tag: 'streamCommit';
  readonly xid: number;
  readonly flags: number;
  readonly commitLsn: bigint;
  readonly endLsn: bigint;
  readonly commitTime: bigint;
}

/** The streamed transaction `xid` aborted (`subXid` = `xid`), or only its subtransaction `subXid`. */
export interface StreamAbortMessage {
  readonly tag: 'streamAbort';
  readonly xid: number;
  readonly subXid: number;
}

export type PgOutputMessage =
  | BeginMessage
  | CommitMessage
  | OriginMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | LogicalMessage
  | StreamStartMessage
  | StreamStopMessage
  | StreamCommitMessage
  | StreamAbortMessage;

export type PgOutputTag = PgOutputMessage['tag'];
