/**
 * Property tests of the pgoutput and replication-frame parsers: every message the server could send
 * parses back to what was built, and damaged messages or frames end in a ReplicationError, never in
 * another kind of exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CopyFormatError } from '../codecs/copy-format-error.js';
import type { PgColumn } from '../codecs/pg-column.js';
import { pg } from '../codecs/test-support/copy-stream-builder.js';
import { ChangeBatchBuilder, type ChangeBatchMode } from './change-batch-builder.js';
import { parsePgOutput } from './pgoutput-message.js';
import {
  UNCHANGED,
  type DeleteMessage,
  type InsertMessage,
  type PgOutputMessage,
  type RelationMessage,
  type TupleData,
  type TupleValue,
  type UpdateMessage,
} from './pgoutput-types.js';
import { ReplicationError } from './replication-error.js';
import { parseReplicationFrame } from './replication-frame.js';
import { pgo, type TupleSpec } from './test-support/pgoutput-builder.js';

/** Fixed so CI runs the same cases; a failure prints the seed and the shrunk counterexample. */
const params = { seed: 0x0decade, numRuns: 300 } as const;

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const u32 = fc.nat({ max: 2 ** 32 - 1 });
/** A C string: any text without NUL. */
const name = fc.string({ unit: 'binary', maxLength: 24 }).map((s) => s.replace(/\0/g, ''));

const tupleSpec: fc.Arbitrary<TupleSpec> = fc.array(
  fc.oneof(
    fc.uint8Array({ maxLength: 16 }),
    fc.constant(null),
    fc.constant('u' as const),
    name.map((text) => ({ text })),
  ),
  { maxLength: 8 },
);

const parsedTuple = (spec: TupleSpec): TupleData =>
  spec.map((v): TupleValue => {
    if (v === null) return null;
    if (v === 'u') return UNCHANGED;
    if (v instanceof Uint8Array) return { binary: Buffer.from(v) };
    return { text: Buffer.from(v.text, 'utf8') };
  });

/** A message as the server sends it and what parsePgOutput must return for it. */
interface Case {
  readonly bytes: Buffer;
  readonly parsed: PgOutputMessage;
}

const oldKind = fc.constantFrom('K' as const, 'O' as const);

const message: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(u64, i64, u32).map(([finalLsn, commitTime, xid]): Case => ({
    bytes: pgo.begin(finalLsn, commitTime, xid),
    parsed: { tag: 'begin', finalLsn, commitTime, xid },
  })),
  fc.tuple(u64, u64, i64, fc.nat({ max: 255 })).map(([commitLsn, endLsn, commitTime, flags]): Case => ({
    bytes: pgo.commit(commitLsn, endLsn, commitTime, flags),
    parsed: { tag: 'commit', flags, commitLsn, endLsn, commitTime },
  })),
  fc.tuple(u64, name).map(([commitLsn, n]): Case => ({
    bytes: pgo.origin(commitLsn, n),
    parsed: { tag: 'origin', commitLsn, name: n },
  })),
  fc
    .tuple(
      u32,
      name,
      name,
      fc.constantFrom('d', 'n', 'f', 'i'),
      fc.array(
        fc.record({
          name,
          typeOid: u32,
          key: fc.boolean(),
          typeMod: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        }),
        { maxLength: 6 },
      ),
    )
    .map(([relationId, namespace, n, replicaIdentity, columns]): Case => ({
      bytes: pgo.relation(relationId, namespace, n, columns, replicaIdentity),
      parsed: {
        tag: 'relation',
        relationId,
        namespace,
        name: n,
        replicaIdentity,
        columns: columns.map((c) => ({ key: c.key, name: c.name, typeOid: c.typeOid, typeMod: c.typeMod })),
      },
    })),
  fc.tuple(u32, name, name).map(([typeOid, namespace, n]): Case => ({
    bytes: pgo.type(typeOid, namespace, n),
    parsed: { tag: 'type', typeOid, namespace, name: n },
  })),
  fc.tuple(u32, tupleSpec).map(([relationId, values]): Case => ({
    bytes: pgo.insert(relationId, values),
    parsed: { tag: 'insert', relationId, newTuple: parsedTuple(values) },
  })),
  fc
    .tuple(u32, tupleSpec, fc.option(fc.tuple(oldKind, tupleSpec), { nil: undefined }))
    .map(([relationId, values, old]): Case => ({
      bytes: pgo.update(relationId, values, old && { kind: old[0], values: old[1] }),
      parsed:
        old === undefined
          ? { tag: 'update', relationId, newTuple: parsedTuple(values) }
          : {
              tag: 'update',
              relationId,
              old: { kind: old[0], tuple: parsedTuple(old[1]) },
              newTuple: parsedTuple(values),
            },
    })),
  fc.tuple(u32, oldKind, tupleSpec).map(([relationId, kind, values]): Case => ({
    bytes: pgo.delete(relationId, kind, values),
    parsed: { tag: 'delete', relationId, old: { kind, tuple: parsedTuple(values) } },
  })),
  fc.tuple(fc.array(u32, { maxLength: 6 }), fc.nat({ max: 3 })).map(([relationIds, options]): Case => ({
    bytes: pgo.truncate(relationIds, options),
    parsed: { tag: 'truncate', cascade: (options & 1) !== 0, restartIdentity: (options & 2) !== 0, relationIds },
  })),
  fc
    .tuple(name, fc.uint8Array({ maxLength: 32 }), u64, fc.boolean())
    .map(([prefix, content, lsn, transactional]): Case => ({
      bytes: pgo.message(prefix, content, lsn, transactional),
      parsed: { tag: 'message', transactional, lsn, prefix, content: Buffer.from(content) },
    })),
  fc.tuple(u32, fc.boolean()).map(([xid, firstSegment]): Case => ({
    bytes: pgo.streamStart(xid, firstSegment),
    parsed: { tag: 'streamStart', xid, firstSegment },
  })),
  fc.constant<Case>({ bytes: pgo.streamStop(), parsed: { tag: 'streamStop' } }),
  fc.tuple(u32, u64, u64, i64, fc.nat({ max: 255 })).map(([xid, commitLsn, endLsn, commitTime, flags]): Case => ({
    bytes: pgo.streamCommit(xid, commitLsn, endLsn, commitTime, flags),
    parsed: { tag: 'streamCommit', xid, flags, commitLsn, endLsn, commitTime },
  })),
  fc.tuple(u32, u32).map(([xid, subXid]): Case => ({
    bytes: pgo.streamAbort(xid, subXid),
    parsed: { tag: 'streamAbort', xid, subXid },
  })),
);

/** Tags that carry an xid inside a streamed chunk (protocol version 2). */
const STREAMED_TAGS = new Set(['relation', 'type', 'insert', 'update', 'delete', 'truncate', 'message']);

/** A message as sent inside a streamed chunk, and what parsePgOutput(…, true) must return for it. */
const streamedMessage: fc.Arbitrary<Case> = fc
  .tuple(
    u32,
    message.filter((c) => STREAMED_TAGS.has(c.parsed.tag)),
  )
  .map(([xid, c]): Case => ({ bytes: pgo.streamed(xid, c.bytes), parsed: { ...c.parsed, xid } as PgOutputMessage }));

/** A damaged copy of `bytes`: a byte changed, cut short, bytes inserted or removed. */
const damage = (bytes: Buffer): fc.Arbitrary<Buffer> => {
  const index = fc.nat({ max: Math.max(0, bytes.length - 1) });
  return fc.oneof(
    fc.tuple(index, fc.integer({ min: 0, max: 255 })).map(([i, x]) => {
      const c = Buffer.from(bytes);
      c[i] = x;
      return c;
    }),
    fc.nat({ max: bytes.length }).map((n) => Buffer.from(bytes.subarray(0, n))),
    fc
      .tuple(fc.nat({ max: bytes.length }), fc.uint8Array({ minLength: 1, maxLength: 8 }))
      .map(([i, ins]) => Buffer.concat([bytes.subarray(0, i), ins, bytes.subarray(i)])),
    fc
      .tuple(index, fc.integer({ min: 1, max: 8 }))
      .map(([i, n]) => Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + n)])),
  );
};

/** Runs `f`; returns normally on success or ReplicationError with a stable code, rethrows anything else. */
function onlyReplicationErrors(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (err instanceof ReplicationError) {
      expect(['PGOUTPUT_PROTOCOL', 'REPLICATION_PROTOCOL']).toContain(err.code);
      return;
    }
    throw err;
  }
}

describe('pgoutput parsing (properties)', () => {
  it('every message parses back to what was built', () => {
    fc.assert(
      fc.property(message, ({ bytes, parsed }) => {
        expect(parsePgOutput(bytes)).toEqual(parsed);
      }),
      params,
    );
  });

  it('every message of a streamed chunk parses back to what was built, with its xid', () => {
    fc.assert(
      fc.property(streamedMessage, ({ bytes, parsed }) => {
        expect(parsePgOutput(bytes, true)).toEqual(parsed);
      }),
      params,
    );
  });

  it('a damaged message of a streamed chunk gives a PGOUTPUT_PROTOCOL ReplicationError or parses', () => {
    fc.assert(
      fc.property(
        streamedMessage.chain(({ bytes }) => damage(bytes)),
        (bytes) => {
          onlyReplicationErrors(() => parsePgOutput(bytes, true));
        },
      ),
      params,
    );
  });

  it('an XLogData frame carrying a message gives back its header and the message', () => {
    fc.assert(
      fc.property(u64, u64, i64, message, (walStart, walEnd, clock, { bytes, parsed }) => {
        const frame = parseReplicationFrame(pgo.xlog(walStart, walEnd, clock, bytes));
        if (frame.type !== 'xlog') throw new Error('xlog expected');
        expect([frame.walStart, frame.walEnd, frame.clock]).toEqual([walStart, walEnd, clock]);
        expect(parsePgOutput(frame.data)).toEqual(parsed);
      }),
      params,
    );
  });

  it('a damaged message gives a PGOUTPUT_PROTOCOL ReplicationError or parses, never another exception', () => {
    fc.assert(
      fc.property(
        message.chain(({ bytes }) => damage(bytes)),
        (bytes) => {
          onlyReplicationErrors(() => parsePgOutput(bytes));
        },
      ),
      params,
    );
  });

  it('random bytes give a ReplicationError or a message, never another exception', () => {
    const tagged = fc
      .tuple(fc.constantFrom(...'BCORYIUDTMSEcAXw k'), fc.uint8Array({ maxLength: 64 }))
      .map(([tag, rest]) => Buffer.concat([Buffer.from(tag, 'latin1'), rest]));
    fc.assert(
      fc.property(
        fc.oneof(
          tagged,
          fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
        ),
        (bytes) => {
          onlyReplicationErrors(() => parsePgOutput(bytes));
          onlyReplicationErrors(() => parsePgOutput(bytes, true));
          onlyReplicationErrors(() => parseReplicationFrame(bytes));
        },
      ),
      params,
    );
  });

  it('a damaged replication frame gives a REPLICATION_PROTOCOL ReplicationError or parses', () => {
    const frame = fc.oneof(
      fc.tuple(u64, u64, i64, message).map(([s, e, c, m]) => pgo.xlog(s, e, c, m.bytes)),
      fc.tuple(u64, i64, fc.boolean()).map(([e, c, r]) => pgo.keepalive(e, c, r)),
    );
    fc.assert(
      fc.property(frame.chain(damage), (bytes) => {
        onlyReplicationErrors(() => {
          const f = parseReplicationFrame(bytes);
          if (f.type === 'xlog' && f.data.length > 0) parsePgOutput(f.data);
        });
      }),
      params,
    );
  });
});

const REL = 16401;
const STREAM_COLUMNS: readonly PgColumn[] = [
  { name: 'id', typeName: 'bigint', typeOid: 20, typeCategory: 'N', nullable: false },
  { name: 'name', typeName: 'text', typeOid: 25, typeCategory: 'S', nullable: true },
  { name: 'score', typeName: 'integer', typeOid: 23, typeCategory: 'N', nullable: true },
  { name: 'amount', typeName: 'numeric(12,2)', typeOid: 1700, typeCategory: 'N', nullable: true },
  { name: 'ratio', typeName: 'double precision', typeOid: 701, typeCategory: 'N', nullable: true },
  { name: 'ok', typeName: 'boolean', typeOid: 16, typeCategory: 'B', nullable: true },
  { name: 'uid', typeName: 'uuid', typeOid: 2950, typeCategory: 'U', nullable: true },
  { name: 'day', typeName: 'date', typeOid: 1082, typeCategory: 'D', nullable: true },
  { name: 'at', typeName: 'timestamp with time zone', typeOid: 1184, typeCategory: 'D', nullable: true },
  { name: 'doc', typeName: 'jsonb', typeOid: 3802, typeCategory: 'U', nullable: true },
];

/** A value the server could send for each stream column. */
const VALID_VALUES: readonly fc.Arbitrary<Uint8Array>[] = [
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(pg.int8),
  name.map(pg.text),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(pg.int4),
  fc.integer({ min: -99_999, max: 99_999 }).map((n) => pg.numeric((n / 100).toFixed(2), 2)),
  fc.double().map(pg.float8),
  fc.boolean().map(pg.bool),
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  fc.integer({ min: -2_451_545, max: 2_145_031_949 }).map(pg.date),
  fc.bigInt({ min: -211_813_488_000_000_000n, max: 9_223_371_331_199_999_999n }).map(pg.int64),
  fc.json({ maxDepth: 1 }).map(pg.jsonb),
];

/** A tuple column: mostly a valid value, sometimes NULL, unchanged, text, or bytes of any length. */
const columnValue = (i: number): fc.Arbitrary<TupleSpec[number]> =>
  fc.oneof(
    { arbitrary: VALID_VALUES[i] as fc.Arbitrary<Uint8Array>, weight: 80 },
    { arbitrary: fc.constantFrom(null, 'u' as const), weight: 8 },
    { arbitrary: name.map((text) => ({ text })), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 20 }), weight: 1 },
  );

/** A tuple of the stream's width, or (rarely) of another width. */
const changeTuple: fc.Arbitrary<TupleSpec> = fc.oneof(
  { arbitrary: fc.tuple(...STREAM_COLUMNS.map((_, i) => columnValue(i))), weight: 8 },
  {
    arbitrary: fc.array(fc.oneof(fc.uint8Array({ maxLength: 9 }), fc.constant(null)), {
      maxLength: STREAM_COLUMNS.length + 2,
    }),
    weight: 1,
  },
);

const change = fc.oneof(
  changeTuple.map((v) => pgo.insert(REL, v)),
  fc
    .tuple(changeTuple, fc.option(fc.tuple(oldKind, changeTuple), { nil: undefined }))
    .map(([v, old]) => pgo.update(REL, v, old && { kind: old[0], values: old[1] })),
  fc.tuple(oldKind, changeTuple).map(([kind, v]) => pgo.delete(REL, kind, v)),
  fc.nat({ max: 3 }).map((n) => pgo.truncate([REL], n)),
);

/** Runs `f`; returns normally on success or a typed decoding error, rethrows anything else. */
function onlyTypedErrors(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (err instanceof ReplicationError || err instanceof CopyFormatError) return;
    throw err;
  }
}

describe('ChangeBatchBuilder fed with server input (properties)', () => {
  it('random changes (values of any length, NULL, unchanged, text, tuples of another width) give frames or typed errors', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<ChangeBatchMode>('upsert', 'append'),
        fc.integer({ min: 1, max: 4 }),
        fc.array(change, { minLength: 1, maxLength: 8 }),
        (mode, batchRows, changes) => {
          const builder = new ChangeBatchBuilder({
            stream: 'public.things',
            columns: STREAM_COLUMNS,
            key: ['id'],
            mode,
            batchRows,
            maxBatchBytes: 1 << 20,
            metadata: [],
          });
          builder.relation(
            parsePgOutput(
              pgo.relation(
                REL,
                'public',
                'things',
                STREAM_COLUMNS.map((c) => ({ name: c.name, typeOid: c.typeOid, key: c.name === 'id' })),
              ),
            ) as RelationMessage,
          );
          let lsn = 1n;
          onlyTypedErrors(() => {
            for (const bytes of changes) {
              const m = parsePgOutput(bytes);
              lsn += 1n;
              if (m.tag === 'insert') builder.insert(m as InsertMessage, lsn);
              else if (m.tag === 'update') builder.update(m as UpdateMessage, lsn);
              else if (m.tag === 'delete') builder.delete(m as DeleteMessage, lsn);
              else if (m.tag === 'truncate') builder.truncate(lsn);
            }
            builder.flush();
          });
        },
      ),
      params,
    );
  });

  it('a Relation message of another shape gives a typed error or is accepted, never another exception', () => {
    const relationColumn = fc.record({
      name: fc.oneof(fc.constantFrom(...STREAM_COLUMNS.map((c) => c.name)), name),
      typeOid: fc.oneof(fc.constantFrom(...STREAM_COLUMNS.map((c) => c.typeOid)), u32),
      key: fc.boolean(),
      typeMod: fc.integer({ min: -1, max: 2 ** 20 }),
    });
    fc.assert(
      fc.property(
        fc.array(relationColumn, { maxLength: STREAM_COLUMNS.length + 2 }),
        changeTuple,
        (columns, values) => {
          const builder = new ChangeBatchBuilder({
            stream: 'public.things',
            columns: STREAM_COLUMNS,
            key: ['id'],
            mode: 'upsert',
            batchRows: 4,
            maxBatchBytes: 1 << 20,
            metadata: [],
          });
          onlyTypedErrors(() => {
            builder.relation(parsePgOutput(pgo.relation(REL, 'public', 'things', columns)) as RelationMessage);
            builder.insert(parsePgOutput(pgo.insert(REL, values)) as InsertMessage, 2n);
            builder.flush();
          });
        },
      ),
      params,
    );
  });
});
