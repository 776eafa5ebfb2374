import { PgOutputReader } from './pgoutput-reader.js';
import type { OldTuple, PgOutputMessage, RelationColumn } from './pgoutput-types.js';
import { ReplicationError } from './replication-error.js';

const MESSAGE_NAMES: Readonly<Record<number, string>> = {
  0x42: 'Begin',
  0x43: 'Commit',
  0x4f: 'Origin',
  0x52: 'Relation',
  0x59: 'Type',
  0x49: 'Insert',
  0x55: 'Update',
  0x44: 'Delete',
  0x54: 'Truncate',
  0x4d: 'Message',
};

const TRUNCATE_CASCADE = 1;
const TRUNCATE_RESTART_IDENTITY = 2;

/**
 * Parses one pgoutput message (protocol version 1, as sent with `binary 'true'`). Byte payloads
 * are subarrays of `buf`. Throws PGOUTPUT_PROTOCOL for an unknown, malformed or truncated message.
 */
export function parsePgOutput(buf: Buffer): PgOutputMessage {
  if (buf.length === 0) throw new ReplicationError('PGOUTPUT_PROTOCOL', 'empty pgoutput message', { offset: 0 });
  const type = buf[0] as number;
  const name = MESSAGE_NAMES[type];
  if (name === undefined) {
    throw new ReplicationError('PGOUTPUT_PROTOCOL', `unknown pgoutput message type 0x${type.toString(16).padStart(2, '0')} (protocol version 1 expected)`, { offset: 0 });
  }
  const r = new PgOutputReader(buf, name);
  const msg = parseBody(type, r);
  r.end();
  return msg;
}

function parseBody(type: number, r: PgOutputReader): PgOutputMessage {
  switch (type) {
    case 0x42:
      return { tag: 'begin', finalLsn: r.u64('final LSN'), commitTime: r.i64('commit time'), xid: r.u32('xid') };
    case 0x43:
      return { tag: 'commit', flags: r.u8('flags'), commitLsn: r.u64('commit LSN'), endLsn: r.u64('end LSN'), commitTime: r.i64('commit time') };
    case 0x4f:
      return { tag: 'origin', commitLsn: r.u64('commit LSN'), name: r.cstring('origin name') };
    case 0x52:
      return parseRelation(r);
    case 0x59:
      return { tag: 'type', typeOid: r.u32('type OID'), namespace: r.cstring('namespace'), name: r.cstring('type name') };
    case 0x49: {
      const relationId = r.u32('relation id');
      const n = r.u8('new tuple marker');
      if (n !== 0x4e) r.fail(`expected 'N' before the new tuple, got 0x${n.toString(16)}`, r.pos - 1);
      return { tag: 'insert', relationId, newTuple: r.tuple() };
    }
    case 0x55: {
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
    case 0x44: {
      const relationId = r.u32('relation id');
      const marker = r.u8('old tuple marker');
      if (marker !== 0x4b && marker !== 0x4f) r.fail(`expected 'K' or 'O' old tuple marker, got 0x${marker.toString(16)}`, r.pos - 1);
      return { tag: 'delete', relationId, old: { kind: marker === 0x4b ? 'K' : 'O', tuple: r.tuple() } };
    }
    case 0x54: {
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
    default: {
      // 0x4d 'M'
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
    columns.push({ key: (flags & 1) !== 0, name: r.cstring(`name of column ${i}`), typeOid: r.u32(`type OID of column ${i}`), typeMod: r.i32(`type modifier of column ${i}`) });
  }
  return { tag: 'relation', relationId, namespace, name, replicaIdentity, columns };
}
