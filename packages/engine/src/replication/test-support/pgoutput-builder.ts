/**
 * Test support: pgoutput (protocol v1 and v2 streaming) messages and replication CopyBoth frames built by hand,
 * byte for byte as the server sends them, so decoder tests need no database.
 */

/** A tuple column: binary value bytes, NULL, unchanged TOAST ('u'), or a text-format value. */
export type TupleSpec = readonly (Uint8Array | null | 'u' | { readonly text: string })[];

export interface RelationColumnSpec {
  readonly name: string;
  readonly typeOid: number;
  readonly key?: boolean;
  readonly typeMod?: number;
}

/** Appends big-endian fields into one Buffer. */
class Bytes {
  readonly #parts: Buffer[] = [];

  u8(n: number): this {
    this.#parts.push(Buffer.from([n & 0xff]));
    return this;
  }
  char(c: string): this {
    return this.u8(c.charCodeAt(0));
  }
  i16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.#parts.push(b);
    return this;
  }
  i32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.#parts.push(b);
    return this;
  }
  u32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    this.#parts.push(b);
    return this;
  }
  u64(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(n);
    this.#parts.push(b);
    return this;
  }
  i64(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    this.#parts.push(b);
    return this;
  }
  raw(b: Uint8Array): this {
    this.#parts.push(Buffer.from(b));
    return this;
  }
  cstring(s: string): this {
    this.#parts.push(Buffer.from(s, 'utf8'), Buffer.from([0]));
    return this;
  }

  tuple(values: TupleSpec): this {
    this.i16(values.length);
    for (const v of values) {
      if (v === null) this.char('n');
      else if (v === 'u') this.char('u');
      else if (v instanceof Uint8Array) this.char('b').i32(v.length).raw(v);
      else {
        const t = Buffer.from(v.text, 'utf8');
        this.char('t').i32(t.length).raw(t);
      }
    }
    return this;
  }

  done(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

export const pgo = {
  begin: (finalLsn: bigint, commitTime = 0n, xid = 1): Buffer =>
    new Bytes().char('B').u64(finalLsn).i64(commitTime).u32(xid).done(),
  commit: (commitLsn: bigint, endLsn: bigint, commitTime = 0n, flags = 0): Buffer =>
    new Bytes().char('C').u8(flags).u64(commitLsn).u64(endLsn).i64(commitTime).done(),
  origin: (commitLsn: bigint, name: string): Buffer => new Bytes().char('O').u64(commitLsn).cstring(name).done(),
  relation: (
    relationId: number,
    namespace: string,
    name: string,
    columns: readonly RelationColumnSpec[],
    replicaIdentity = 'd',
  ): Buffer => {
    const b = new Bytes()
      .char('R')
      .u32(relationId)
      .cstring(namespace)
      .cstring(name)
      .char(replicaIdentity)
      .i16(columns.length);
    for (const c of columns)
      b.u8(c.key ? 1 : 0)
        .cstring(c.name)
        .u32(c.typeOid)
        .i32(c.typeMod ?? -1);
    return b.done();
  },
  type: (typeOid: number, namespace: string, name: string): Buffer =>
    new Bytes().char('Y').u32(typeOid).cstring(namespace).cstring(name).done(),
  insert: (relationId: number, values: TupleSpec): Buffer =>
    new Bytes().char('I').u32(relationId).char('N').tuple(values).done(),
  update: (
    relationId: number,
    values: TupleSpec,
    old?: { readonly kind: 'K' | 'O'; readonly values: TupleSpec },
  ): Buffer => {
    const b = new Bytes().char('U').u32(relationId);
    if (old !== undefined) b.char(old.kind).tuple(old.values);
    return b.char('N').tuple(values).done();
  },
  delete: (relationId: number, kind: 'K' | 'O', values: TupleSpec): Buffer =>
    new Bytes().char('D').u32(relationId).char(kind).tuple(values).done(),
  truncate: (relationIds: readonly number[], options = 0): Buffer => {
    const b = new Bytes().char('T').i32(relationIds.length).u8(options);
    for (const id of relationIds) b.u32(id);
    return b.done();
  },
  message: (prefix: string, content: Uint8Array, lsn = 0n, transactional = true): Buffer =>
    new Bytes()
      .char('M')
      .u8(transactional ? 1 : 0)
      .u64(lsn)
      .cstring(prefix)
      .i32(content.length)
      .raw(content)
      .done(),
  streamStart: (xid: number, firstSegment: boolean): Buffer =>
    new Bytes()
      .char('S')
      .u32(xid)
      .u8(firstSegment ? 1 : 0)
      .done(),
  streamStop: (): Buffer => new Bytes().char('E').done(),
  streamCommit: (xid: number, commitLsn: bigint, endLsn: bigint, commitTime = 0n, flags = 0): Buffer =>
    new Bytes().char('c').u32(xid).u8(flags).u64(commitLsn).u64(endLsn).i64(commitTime).done(),
  streamAbort: (xid: number, subXid: number): Buffer => new Bytes().char('A').u32(xid).u32(subXid).done(),
  /** `message` (Relation, Type, Insert, …) as sent inside a streamed chunk: the xid after its tag. */
  streamed: (xid: number, message: Uint8Array): Buffer =>
    new Bytes().raw(message.subarray(0, 1)).u32(xid).raw(message.subarray(1)).done(),
  /** An XLogData CopyBoth frame ('w') carrying `data`. */
  xlog: (walStart: bigint, walEnd: bigint, clock: bigint, data: Uint8Array): Buffer =>
    new Bytes().char('w').u64(walStart).u64(walEnd).i64(clock).raw(data).done(),
  /** A primary keepalive CopyBoth frame ('k'). */
  keepalive: (walEnd: bigint, clock: bigint, replyRequested: boolean): Buffer =>
    new Bytes()
      .char('k')
      .u64(walEnd)
      .i64(clock)
      .u8(replyRequested ? 1 : 0)
      .done(),
};
