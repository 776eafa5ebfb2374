import { PgOutputReader } from './pgoutput-reader.js';
import type { OldTuple, PgOutputMessage, RelationColumn } from './pgoutput-types.js';
import { PGOUTPUT_TAGS, STREAMED_XID_TAGS } from './pgoutput-tags.js';
import { ReplicationError } from './replication-error.js';

/** Message names for errors (`Begin`, `Relation`, ...), by first byte. */
const MESSAGE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(PGOUTPUT_TAGS).map(([tag, byte]) => [
    byte,
    tag.charAt(0).toUpperCase() + tag.slice(1).replace(/[A-Z]/g, (c) => ` ${c}`),
  ]),
);

const TRUNCATE_CASCADE = 1;
const TRUNCATE_RESTART_IDENTITY = 2;

/**
 * Parses one pgoutput message (protocol version 1 or 2, as sent with `binary 'true'`). Byte
 * payloads are subarrays of `buf`. `inStream`: the message is inside a streamed chunk (between
 * Stream Start and Stream Stop), where Relation, Type, Insert, Update, Delete, Truncate and
 * Message carry the xid of their (sub)transaction first. Throws PGOUTPUT_PROTOCOL for an unknown,
 * malformed or truncated message.
 */
export function parsePgOutput(buf: Buffer, inStream = false): PgOutputMessage {
  if (buf.length === 0) throw new ReplicationError('PGOUTPUT_PROTOCOL', 'empty pgoutput message', { offset: 0 });
  const type = buf[0] as number;
  const name = MESSAGE_NAMES.get(type);
  if (name === undefined) {
    throw new ReplicationError(
      'PGOUTPUT_PROTOCOL',
      `unknown pgoutput message type 0x${type.toString(16).padStart(2, '0')} (protocol version 1 or 2 expected)`,
      { offset: 0 },
    );
  }
  const r = new PgOutputReader(buf, name);
  const xid = inStream && STREAMED_XID_TAGS.has(type) ? r.u32('xid') : undefined;
  const msg = parseBody(type, r);
  r.end();
  // only the messages of STREAMED_XID_TAGS, whose types have the optional xid
  return xid === undefined ? msg : ({ ...msg, xid } as PgOutputMessage);
}

function parseBody(type: number, r: PgOutputReader): PgOutputMessage {
  switch (type) {
    case PGOUTPUT_TAGS.begin:
      return { tag: 'begin', finalLsn: r.u64('final LSN'), commitTime: r.i64('commit time'), xid: r.u32('xid') };
    case PGOUTPUT_TAGS.commit:
      return {
        tag: 'commit',
        flags: r.u8('flags'),
        commitLsn: r.u64('commit LSN'),
        endLsn: r.u64('end LSN'),
        commitTime: r.i64('commit time'),
      };
    case PGOUTPUT_TAGS.origin:
      return { tag: 'origin', commitLsn: r.u64('commit LSN'), name: r.cstring('origin name') };
    case PGOUTPUT_TAGS.relation:
      return parseRelation(r);
    case PGOUTPUT_TAGS.type:
      return {
        tag: 'type',
        typeOid: r.u32('type OID'),
        namespace: r.cstring('namespace'),
        name: r.cstring('type name'),
      };
    case PGOUTPUT_TAGS.insert: {
      const relationId = r.u32('relation id');
      const n = r.u8('new tuple marker');
      if (n !== 0x4e) r.fail(`expected 'N' before the new tuple, got 0x${n.toString(16)}`, r.pos - 1);
      return { tag: 'insert', relationId, newTuple: r.tuple() };
    }
    case PGOUTPUT_TAGS.update: {
      const relationId = r.u32('relation id');
      let marker = r.u8('tuple marker');
      let old: OldTuple | undefined;
      if (marker === 0x4b || marker === 0x4f) {
        old = { kind: marker === 0x4b ? 'K' : 'O', tuple: r.tuple() };
        marker = r.u8('new tuple marker');
      }
      if (marker !== 0x4e) r.fail(`expected 'K', 'O' or 'N' tuple marker, got 0x${marker.toString(16)}`, r.pos - 1);
      const newTuple = r.tuple();
      return old === undefined ? { tag: 'update', relationId, newTuple } : { tag: 'update', relationId, old, newTuple };
    }
    case PGOUTPUT_TAGS.delete: {
      const relationId = r.u32('relation id');
      const marker = r.u8('old tuple marker');
      if (marker !== 0x4b && marker !== 0x4f)
        r.fail(`expected 'K' or 'O' old tuple marker, got 0x${marker.toString(16)}`, r.pos - 1);
      return { tag: 'delete', relationId, old: { kind: marker === 0x4b ? 'K' : 'O', tuple: r.tuple() } };
    }
    case PGOUTPUT_TAGS.truncate: {
      const n = r.i32('relation count');
      if (n < 0) r.fail(`negative relation count ${n}`, r.pos - 4);
      const options = r.u8('options');
      const relationIds: number[] = [];
      for (let i = 0; i < n; i++) relationIds.push(r.u32(`relation id ${i}`));
      return {
        tag: 'truncate',
        cascade: (options & TRUNCATE_CASCADE) !== 0,
        restartIdentity: (options & TRUNCATE_RESTART_IDENTITY) !== 0,
        relationIds,
      };
    }
    case PGOUTPUT_TAGS.streamStart:
      return { tag: 'streamStart', xid: r.u32('xid'), firstSegment: r.u8('first segment flag') === 1 };
    case PGOUTPUT_TAGS.streamStop:
      return { tag: 'streamStop' };
    case PGOUTPUT_TAGS.streamCommit:
      return {
        tag: 'streamCommit',
        xid: r.u32('xid'),
        flags: r.u8('flags'),
        commitLsn: r.u64('commit LSN'),
        endLsn: r.u64('end LSN'),
        commitTime: r.i64('commit time'),
      };
    case PGOUTPUT_TAGS.streamAbort:
      return { tag: 'streamAbort', xid: r.u32('xid'), subXid: r.u32('subtransaction xid') };
    default: {
      // PGOUTPUT_TAGS.message: the only tag left
      const flags = r.u8('flags');
      const lsn = r.u64('LSN');
      const prefix = r.cstring('prefix');
      const len = r.i32('content length');
      if (len < 0) r.fail(`negative content length ${len}`, r.pos - 4);
      return { tag: 'message', transactional: (flags & 1) !== 0, lsn, prefix, content: r.bytes(len, 'content') };
    }
  }
}

function parseRelation(r: PgOutputReader): PgOutputMessage {
  const relationId = r.u32('relation id');
  const namespace = r.cstring('namespace');
  const name = r.cstring('relation name');
  const replicaIdentity = String.fromCharCode(r.u8('replica identity'));
  const n = r.i16('column count');
  if (n < 0) r.fail(`negative column count ${n}`, r.pos - 2);
  const columns: RelationColumn[] = [];
  for (let i = 0; i < n; i++) {
    const flags = r.u8(`flags of column ${i}`);
    columns.push({
      key: (flags & 1) !== 0,
      name: r.cstring(`name of column ${i}`),
      typeOid: r.u32(`type OID of column ${i}`),
      typeMod: r.i32(`type modifier of column ${i}`),
    });
  }
  return { tag: 'relation', relationId, namespace, name, replicaIdentity, columns };
}
