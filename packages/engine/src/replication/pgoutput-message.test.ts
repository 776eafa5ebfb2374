import { describe, expect, it } from 'vitest';
import { parsePgOutput } from './pgoutput-message.js';
import { UNCHANGED } from './pgoutput-types.js';
import { ReplicationError } from './replication-error.js';
import { pgo } from './test-support/pgoutput-builder.js';

const b = (...bytes: number[]) => Uint8Array.from(bytes);

const MESSAGES: Record<string, Buffer> = {
  begin: pgo.begin(0x16b374d848n, 700_000_000_000_000n, 0xfffffff0),
  commit: pgo.commit(0x10n, 0x18n, 123n, 0),
  origin: pgo.origin(0x99n, 'pg_16400'),
  relation: pgo.relation(
    16401,
    'public',
    'Users ü',
    [
      { name: 'id', typeOid: 20, key: true },
      { name: 'näme', typeOid: 25, typeMod: -1 },
      { name: 'amount', typeOid: 1700, typeMod: (12 << 16) + 2 + 4 },
    ],
    'f',
  ),
  type: pgo.type(16500, 'public', 'mood'),
  insert: pgo.insert(16401, [b(0, 0, 0, 0, 0, 0, 0, 1), null, 'u', { text: 'hi' }, b()]),
  updateSimple: pgo.update(16401, [b(1), null]),
  updateKey: pgo.update(16401, [b(2), 'u'], { kind: 'K', values: [b(1), null] }),
  updateFull: pgo.update(16401, [b(1), 'u'], { kind: 'O', values: [b(1), b(9, 9)] }),
  deleteKey: pgo.delete(16401, 'K', [b(1), null]),
  deleteFull: pgo.delete(16401, 'O', [b(1), b(5)]),
  truncate: pgo.truncate([16401, 16402], 3),
  truncateNone: pgo.truncate([], 0),
  message: pgo.message('rapidbyte', Buffer.from('payload'), 0x42n, false),
};

describe('parsePgOutput', () => {
  it('parses Begin, Commit, Origin, Type', () => {
    expect(parsePgOutput(MESSAGES.begin as Buffer)).toEqual({
      tag: 'begin',
      finalLsn: 0x16b374d848n,
      commitTime: 700_000_000_000_000n,
      xid: 0xfffffff0,
    });
    expect(parsePgOutput(MESSAGES.commit as Buffer)).toEqual({
      tag: 'commit',
      flags: 0,
      commitLsn: 0x10n,
      endLsn: 0x18n,
      commitTime: 123n,
    });
    expect(parsePgOutput(MESSAGES.origin as Buffer)).toEqual({ tag: 'origin', commitLsn: 0x99n, name: 'pg_16400' });
    expect(parsePgOutput(MESSAGES.type as Buffer)).toEqual({
      tag: 'type',
      typeOid: 16500,
      namespace: 'public',
      name: 'mood',
    });
  });

  it('parses Relation with key flags, UTF-8 names and typmods', () => {
    expect(parsePgOutput(MESSAGES.relation as Buffer)).toEqual({
      tag: 'relation',
      relationId: 16401,
      namespace: 'public',
      name: 'Users ü',
      replicaIdentity: 'f',
      columns: [
        { key: true, name: 'id', typeOid: 20, typeMod: -1 },
        { key: false, name: 'näme', typeOid: 25, typeMod: -1 },
        { key: false, name: 'amount', typeOid: 1700, typeMod: (12 << 16) + 6 },
      ],
    });
  });

  it('parses Insert tuple data: binary, null, unchanged, text, empty; values are subarrays', () => {
    const buf = MESSAGES.insert as Buffer;
    const m = parsePgOutput(buf);
    if (m.tag !== 'insert') throw new Error('insert expected');
    expect(m.relationId).toBe(16401);
    const [v0, v1, v2, v3, v4] = m.newTuple;
    expect(v0).toEqual({ binary: Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]) });
    expect(v1).toBeNull();
    expect(v2).toBe(UNCHANGED);
    expect(v3).toEqual({ text: Buffer.from('hi') });
    expect(v4).toEqual({ binary: Buffer.alloc(0) });
    expect((v0 as { binary: Buffer }).binary.buffer).toBe(buf.buffer);
  });

  it('parses Update without, with key and with full old tuple', () => {
    expect(parsePgOutput(MESSAGES.updateSimple as Buffer)).toEqual({
      tag: 'update',
      relationId: 16401,
      newTuple: [{ binary: Buffer.from([1]) }, null],
    });
    expect(parsePgOutput(MESSAGES.updateKey as Buffer)).toEqual({
      tag: 'update',
      relationId: 16401,
      old: { kind: 'K', tuple: [{ binary: Buffer.from([1]) }, null] },
      newTuple: [{ binary: Buffer.from([2]) }, UNCHANGED],
    });
    expect(parsePgOutput(MESSAGES.updateFull as Buffer)).toMatchObject({
      old: { kind: 'O', tuple: [{ binary: Buffer.from([1]) }, { binary: Buffer.from([9, 9]) }] },
    });
  });

  it('parses Delete with key or full old tuple', () => {
    expect(parsePgOutput(MESSAGES.deleteKey as Buffer)).toEqual({
      tag: 'delete',
      relationId: 16401,
      old: { kind: 'K', tuple: [{ binary: Buffer.from([1]) }, null] },
    });
    expect(parsePgOutput(MESSAGES.deleteFull as Buffer)).toMatchObject({ old: { kind: 'O' } });
  });

  it('parses Truncate options and relation ids', () => {
    expect(parsePgOutput(MESSAGES.truncate as Buffer)).toEqual({
      tag: 'truncate',
      cascade: true,
      restartIdentity: true,
      relationIds: [16401, 16402],
    });
    expect(parsePgOutput(pgo.truncate([7], 2))).toEqual({
      tag: 'truncate',
      cascade: false,
      restartIdentity: true,
      relationIds: [7],
    });
    expect(parsePgOutput(MESSAGES.truncateNone as Buffer)).toEqual({
      tag: 'truncate',
      cascade: false,
      restartIdentity: false,
      relationIds: [],
    });
  });

  it('parses logical Message', () => {
    expect(parsePgOutput(MESSAGES.message as Buffer)).toEqual({
      tag: 'message',
      transactional: false,
      lsn: 0x42n,
      prefix: 'rapidbyte',
      content: Buffer.from('payload'),
    });
  });

  it('gives PGOUTPUT_PROTOCOL for every message cut short at every byte', () => {
    for (const [name, full] of Object.entries(MESSAGES)) {
      for (let n = 0; n < full.length; n++) {
        let error: unknown;
        try {
          parsePgOutput(Buffer.from(full.subarray(0, n)));
        } catch (e) {
          error = e;
        }
        expect(error, `${name} cut at ${n}`).toBeInstanceOf(ReplicationError);
        expect(error).toMatchObject({ kind: 'permanent', code: 'PGOUTPUT_PROTOCOL' });
        if (n > 0) expect((error as Error).message).toMatch(/offset \d+/);
      }
    }
  });

  it('rejects trailing bytes, unknown types and bad markers', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.concat([MESSAGES.begin as Buffer, Buffer.from([0])]), /Begin.*1 unexpected bytes after the message/],
      [Buffer.from('Zabc'), /unknown pgoutput message type 0x5a/],
      [Buffer.from([0x49, 0, 0, 0, 1, 0x58, 0, 0]), /Insert.*expected 'N'/],
      [Buffer.from([0x44, 0, 0, 0, 1, 0x4e, 0, 0]), /Delete.*expected 'K' or 'O'/],
      [Buffer.from([0x55, 0, 0, 0, 1, 0x4b, 0, 0, 0x4b, 0, 0]), /Update.*expected 'K', 'O' or 'N'/],
      [Buffer.from([0x49, 0, 0, 0, 1, 0x4e, 0, 1, 0x78]), /unknown kind 0x78 of tuple column 0/],
      [Buffer.from([0x49, 0, 0, 0, 1, 0x4e, 0, 1, 0x62, 0xff, 0xff, 0xff, 0xff]), /negative length -1/],
      [Buffer.from([0x49, 0, 0, 0, 1, 0x4e, 0xff, 0xff]), /negative tuple column count/],
      [Buffer.from([0x54, 0xff, 0xff, 0xff, 0xff, 0]), /negative relation count/],
      [Buffer.from([0x59, 0, 0, 0, 1, 0xc3, 0x28, 0, 0x61, 0]), /namespace is not valid UTF-8/],
    ];
    for (const [buf, message] of cases) {
      expect(() => parsePgOutput(buf)).toThrow(message);
      expect(() => parsePgOutput(buf)).toThrow(expect.objectContaining({ code: 'PGOUTPUT_PROTOCOL' }));
    }
  });
});

describe('parsePgOutput, protocol version 2 streaming', () => {
  const XID = 0xfffffffe;
  const STREAM_CONTROL: Record<string, Buffer> = {
    streamStart: pgo.streamStart(XID, true),
    streamStartLater: pgo.streamStart(7, false),
    streamStop: pgo.streamStop(),
    streamCommit: pgo.streamCommit(XID, 0x20n, 0x28n, 456n),
    streamAbort: pgo.streamAbort(XID, 0x1234),
  };
  /** Every message that carries an xid inside a streamed chunk, in its streamed form. */
  const STREAMED: Record<string, Buffer> = Object.fromEntries(
    Object.entries(MESSAGES)
      .filter(([name]) => !['begin', 'commit', 'origin'].includes(name))
      .map(([name, bytes]) => [name, pgo.streamed(XID, bytes)]),
  );

  it('parses Stream Start, Stop, Commit and Abort', () => {
    expect(parsePgOutput(STREAM_CONTROL.streamStart as Buffer)).toEqual({
      tag: 'streamStart',
      xid: XID,
      firstSegment: true,
    });
    expect(parsePgOutput(STREAM_CONTROL.streamStartLater as Buffer)).toEqual({
      tag: 'streamStart',
      xid: 7,
      firstSegment: false,
    });
    expect(parsePgOutput(STREAM_CONTROL.streamStop as Buffer)).toEqual({ tag: 'streamStop' });
    expect(parsePgOutput(STREAM_CONTROL.streamCommit as Buffer)).toEqual({
      tag: 'streamCommit',
      xid: XID,
      flags: 0,
      commitLsn: 0x20n,
      endLsn: 0x28n,
      commitTime: 456n,
    });
    expect(parsePgOutput(STREAM_CONTROL.streamAbort as Buffer)).toEqual({
      tag: 'streamAbort',
      xid: XID,
      subXid: 0x1234,
    });
  });

  it('reads the xid first inside a streamed chunk, the rest as in protocol version 1', () => {
    for (const [name, streamed] of Object.entries(STREAMED)) {
      const plain = parsePgOutput(MESSAGES[name] as Buffer);
      expect(parsePgOutput(streamed, true), name).toEqual({ ...plain, xid: XID });
    }
    // Begin, Commit, Origin have no xid prefix inside a chunk either (Origin may come in one)
    expect(parsePgOutput(MESSAGES.origin as Buffer, true)).toEqual(parsePgOutput(MESSAGES.origin as Buffer));
    expect(parsePgOutput(STREAM_CONTROL.streamStop as Buffer, true)).toEqual({ tag: 'streamStop' });
  });

  it('a streamed message read as protocol version 1 is not taken for another one', () => {
    // the xid shifts every field: the reader meets garbage and says so
    for (const name of ['insert', 'updateKey', 'deleteKey', 'relation']) {
      expect(() => parsePgOutput(STREAMED[name] as Buffer), name).toThrow(
        expect.objectContaining({ code: 'PGOUTPUT_PROTOCOL' }),
      );
    }
  });

  it('gives PGOUTPUT_PROTOCOL for every streaming message cut short at every byte', () => {
    const all: [string, Buffer, boolean][] = [
      ...Object.entries(STREAM_CONTROL).map(([n, b]): [string, Buffer, boolean] => [n, b, false]),
      ...Object.entries(STREAMED).map(([n, b]): [string, Buffer, boolean] => [`streamed ${n}`, b, true]),
    ];
    for (const [name, full, inStream] of all) {
      for (let n = 0; n < full.length; n++) {
        let error: unknown;
        try {
          parsePgOutput(Buffer.from(full.subarray(0, n)), inStream);
        } catch (e) {
          error = e;
        }
        expect(error, `${name} cut at ${n}`).toBeInstanceOf(ReplicationError);
        expect(error).toMatchObject({ kind: 'permanent', code: 'PGOUTPUT_PROTOCOL' });
        if (n > 0) expect((error as Error).message).toMatch(/offset \d+/);
      }
      expect(() => parsePgOutput(Buffer.concat([full, Buffer.from([0])]), inStream), name).toThrow(
        /unexpected bytes after the message/,
      );
    }
  });

  it('names the streaming message in its errors', () => {
    expect(() => parsePgOutput(Buffer.from([0x63, 0, 0, 0, 1]))).toThrow(/malformed pgoutput Stream Commit message/);
    expect(() => parsePgOutput(Buffer.from([0x41, 0, 0, 0, 1]))).toThrow(/Stream Abort.*subtransaction xid/);
  });
});
