/**
 * Property tests of the pgoutput and replication-frame parsers: every message the server could send
 * parses back to what was built, and damaged messages or frames end in a ReplicationError, never in
 * another kind of exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePgOutput } from './pgoutput-message.js';
import { UNCHANGED, type PgOutputMessage, type TupleData, type TupleValue } from './pgoutput-types.js';
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
  fc.tuple(u64, name).map(([commitLsn, n]): Case => ({ bytes: pgo.origin(commitLsn, n), parsed: { tag: 'origin', commitLsn, name: n } })),
  fc.tuple(u32, name, name, fc.constantFrom('d', 'n', 'f', 'i'),
    fc.array(fc.record({ name, typeOid: u32, key: fc.boolean(), typeMod: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }), { maxLength: 6 }))
    .map(([relationId, namespace, n, replicaIdentity, columns]): Case => ({
      bytes: pgo.relation(relationId, namespace, n, columns, replicaIdentity),
      parsed: { tag: 'relation', relationId, namespace, name: n, replicaIdentity, columns: columns.map((c) => ({ key: c.key, name: c.name, typeOid: c.typeOid, typeMod: c.typeMod })) },
    })),
  fc.tuple(u32, name, name).map(([typeOid, namespace, n]): Case => ({ bytes: pgo.type(typeOid, namespace, n), parsed: { tag: 'type', typeOid, namespace, name: n } })),
  fc.tuple(u32, tupleSpec).map(([relationId, values]): Case => ({
    bytes: pgo.insert(relationId, values),
    parsed: { tag: 'insert', relationId, newTuple: parsedTuple(values) },
  })),
  fc.tuple(u32, tupleSpec, fc.option(fc.tuple(oldKind, tupleSpec), { nil: undefined })).map(([relationId, values, old]): Case => ({
    bytes: pgo.update(relationId, values, old && { kind: old[0], values: old[1] }),
    parsed: old === undefined
      ? { tag: 'update', relationId, newTuple: parsedTuple(values) }
      : { tag: 'update', relationId, old: { kind: old[0], tuple: parsedTuple(old[1]) }, newTuple: parsedTuple(values) },
  })),
  fc.tuple(u32, oldKind, tupleSpec).map(([relationId, kind, values]): Case => ({
    bytes: pgo.delete(relationId, kind, values),
    parsed: { tag: 'delete', relationId, old: { kind, tuple: parsedTuple(values) } },
  })),
  fc.tuple(fc.array(u32, { maxLength: 6 }), fc.nat({ max: 3 })).map(([relationIds, options]): Case => ({
    bytes: pgo.truncate(relationIds, options),
    parsed: { tag: 'truncate', cascade: (options & 1) !== 0, restartIdentity: (options & 2) !== 0, relationIds },
  })),
  fc.tuple(name, fc.uint8Array({ maxLength: 32 }), u64, fc.boolean()).map(([prefix, content, lsn, transactional]): Case => ({
    bytes: pgo.message(prefix, content, lsn, transactional),
    parsed: { tag: 'message', transactional, lsn, prefix, content: Buffer.from(content) },
  })),
);

/** A damaged copy of `bytes`: a byte changed, cut short, bytes inserted or removed. */
const damage = (bytes: Buffer): fc.Arbitrary<Buffer> => {
  const index = fc.nat({ max: Math.max(0, bytes.length - 1) });
  return fc.oneof(
    fc.tuple(index, fc.integer({ min: 0, max: 255 })).map(([i, x]) => { const c = Buffer.from(bytes); c[i] = x; return c; }),
    fc.nat({ max: bytes.length }).map((n) => Buffer.from(bytes.subarray(0, n))),
    fc.tuple(fc.nat({ max: bytes.length }), fc.uint8Array({ minLength: 1, maxLength: 8 }))
      .map(([i, ins]) => Buffer.concat([bytes.subarray(0, i), ins, bytes.subarray(i)])),
    fc.tuple(index, fc.integer({ min: 1, max: 8 })).map(([i, n]) => Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + n)])),
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
    fc.assert(fc.property(message, ({ bytes, parsed }) => { expect(parsePgOutput(bytes)).toEqual(parsed); }), params);
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
      fc.property(message.chain(({ bytes }) => damage(bytes)), (bytes) => { onlyReplicationErrors(() => parsePgOutput(bytes)); }),
      params,
    );
  });

  it('random bytes give a ReplicationError or a message, never another exception', () => {
    const tagged = fc.tuple(fc.constantFrom(...'BCORYIUDTMXw k'), fc.uint8Array({ maxLength: 64 }))
      .map(([tag, rest]) => Buffer.concat([Buffer.from(tag, 'latin1'), rest]));
    fc.assert(
      fc.property(fc.oneof(tagged, fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b))), (bytes) => {
        onlyReplicationErrors(() => parsePgOutput(bytes));
        onlyReplicationErrors(() => parseReplicationFrame(bytes));
      }),
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
