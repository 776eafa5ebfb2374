import type pg from 'pg';
import type { PgColumn, PgConnectOptions } from '@rapidbyte/sdk/contract';
import { type PgOutputMessage, type RelationColumn, type TupleData, type TupleValue } from '../replication/index.js';
import { connectPgClient } from '../runtime/connect-pg-client.js';

/** The OID-alias types (builtin OIDs) and their array types; the cast that prints a value's name. */
const OID_ALIAS_TYPES: readonly { readonly oid: number; readonly arrayOid: number; readonly name: string }[] = [
  { name: 'regproc', oid: 24, arrayOid: 1008 },
  { name: 'regprocedure', oid: 2202, arrayOid: 2207 },
  { name: 'regoper', oid: 2203, arrayOid: 2208 },
  { name: 'regoperator', oid: 2204, arrayOid: 2209 },
  { name: 'regclass', oid: 2205, arrayOid: 2210 },
  { name: 'regtype', oid: 2206, arrayOid: 2211 },
  { name: 'regconfig', oid: 3734, arrayOid: 3735 },
  { name: 'regdictionary', oid: 3769, arrayOid: 3770 },
  { name: 'regnamespace', oid: 4089, arrayOid: 4090 },
  { name: 'regrole', oid: 4096, arrayOid: 4097 },
  { name: 'regcollation', oid: 4191, arrayOid: 4192 },
];
const SCALAR = new Set(OID_ALIAS_TYPES.map((t) => t.oid));
const ELEMENT_OF = new Map(OID_ALIAS_TYPES.map((t) => [t.arrayOid, t.oid]));
const TEXT_OID = 25;
const TEXT_ARRAY_OID = 1009;

/** `(type oid, value oid)` pairs → the value's name as the source prints it (`oid::regclass::text`). */
const NAMES_SQL = `SELECT u.t::text AS t, u.o::text AS o, CASE u.t ${OID_ALIAS_TYPES.map((t) => `WHEN ${t.oid} THEN u.o::oid::${t.name}::text`).join(' ')} END AS name
FROM unnest($1::int8[], $2::int8[]) AS u(t, o)`;

/**
 * Names for the OID-alias values of a CDC stream. A source carries such a column as text (its
 * stream column is `text`/`text[]` while the table's type is a reg* type) so the destination gets
 * names, not OIDs of the source's catalog; pgoutput's binary values are those OIDs, so they are
 * looked up at the source (one query per message with unseen OIDs, cached for the run) and the
 * message's values replaced by the names before the change batch sees them. A name is the one the
 * object had when its OID was first seen in the run; a dropped object prints as its number, as
 * `::text` does in the snapshot.
 */
export class OidAliasText {
  readonly #connect: PgConnectOptions;
  readonly #stream: string;
  readonly #carried: ReadonlySet<string>;
  readonly #relations = new Map<number, readonly RelationColumn[]>();
  readonly #names = new Map<string, Buffer>();
  #client: pg.Client | undefined;

  private constructor(connect: PgConnectOptions, stream: string, carried: ReadonlySet<string>) {
    this.#connect = connect;
    this.#stream = stream;
    this.#carried = carried;
  }

  /** For a stream with columns carried as text over an OID-alias type, else undefined. */
  static forStream(
    connect: PgConnectOptions,
    stream: string,
    columns: readonly PgColumn[],
    relationTypeOids: readonly number[],
  ): OidAliasText | undefined {
    const carried = new Set<string>();
    columns.forEach((c, i) => {
      const att = relationTypeOids[i] ?? c.typeOid;
      if ((c.typeOid === TEXT_OID && SCALAR.has(att)) || (c.typeOid === TEXT_ARRAY_OID && ELEMENT_OF.has(att)))
        carried.add(c.name);
    });
    return carried.size === 0 ? undefined : new OidAliasText(connect, stream, carried);
  }

  /** Before a message is applied: notes a Relation's column types, looks up OIDs not seen yet. */
  async prepare(message: PgOutputMessage): Promise<void> {
    if (message.tag === 'relation') {
      this.#relations.set(message.relationId, message.columns);
      return;
    }
    const wanted = new Map<string, [number, number]>();
    this.#eachValue(message, (type, oid) => {
      const key = `${type}:${oid}`;
      if (!this.#names.has(key)) wanted.set(key, [type, oid]);
    });
    if (wanted.size === 0) return;
    const pairs = [...wanted.values()];
    try {
      this.#client ??= await connectPgClient({ ...this.#connect, applicationName: 'rapidbyte/oid-names' });
      const r = await this.#client.query(NAMES_SQL, [pairs.map((p) => String(p[0])), pairs.map((p) => String(p[1]))]);
      for (const row of r.rows as { t: string; o: string; name: string }[])
        this.#names.set(`${row.t}:${row.o}`, Buffer.from(row.name, 'utf8'));
    } catch (error) {
      await this.close();
      throw Object.assign(
        new Error(
          `${this.#stream}: looking up the names of OID-alias values (regclass & co.) at the source failed: ${(error as Error).message}`,
        ),
        {
          kind: 'transient',
          code: 'OID_NAME_LOOKUP_FAILED',
        },
      );
    }
  }

  /** The message with its carried values replaced by their names (looked up by {@link prepare}). */
  rewrite(message: PgOutputMessage): PgOutputMessage {
    switch (message.tag) {
      case 'insert':
        return { ...message, newTuple: this.#tuple(message.relationId, message.newTuple) };
      case 'update':
        return {
          ...message,
          newTuple: this.#tuple(message.relationId, message.newTuple),
          ...(message.old
            ? { old: { kind: message.old.kind, tuple: this.#tuple(message.relationId, message.old.tuple) } }
            : {}),
        };
      case 'delete':
        return {
          ...message,
          old: { kind: message.old.kind, tuple: this.#tuple(message.relationId, message.old.tuple) },
        };
      default:
        return message;
    }
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Calls `fn(scalar type, oid)` for every OID in the carried columns of a change message. */
  #eachValue(message: PgOutputMessage, fn: (type: number, oid: number) => void): void {
    const tuples: TupleData[] = [];
    if (message.tag === 'insert') tuples.push(message.newTuple);
    else if (message.tag === 'update') tuples.push(message.newTuple, ...(message.old ? [message.old.tuple] : []));
    else if (message.tag === 'delete') tuples.push(message.old.tuple);
    else return;
    const relation = this.#relations.get(message.relationId);
    if (relation === undefined) return;
    for (const tuple of tuples) {
      tuple.forEach((value, i) => {
        const column = relation[i];
        if (
          column === undefined ||
          !this.#carried.has(column.name) ||
          value === null ||
          typeof value !== 'object' ||
          !('binary' in value)
        )
          return;
        if (SCALAR.has(column.typeOid)) {
          if (value.binary.length === 4) fn(column.typeOid, value.binary.readUInt32BE(0));
          return;
        }
        const element = ELEMENT_OF.get(column.typeOid);
        if (element !== undefined) for (const oid of arrayElements(value.binary)) if (oid !== null) fn(element, oid);
      });
    }
  }

  #tuple(relationId: number, tuple: TupleData): TupleData {
    const relation = this.#relations.get(relationId);
    if (relation === undefined) return tuple;
    return tuple.map((value, i): TupleValue => {
      const column = relation[i];
      if (
        column === undefined ||
        !this.#carried.has(column.name) ||
        value === null ||
        typeof value !== 'object' ||
        !('binary' in value)
      )
        return value;
      if (SCALAR.has(column.typeOid)) return { binary: this.#name(column.typeOid, value.binary.readUInt32BE(0)) };
      const element = ELEMENT_OF.get(column.typeOid);
      return element === undefined ? value : { binary: this.#textArray(element, value.binary) };
    });
  }

  #name(type: number, oid: number): Buffer {
    return this.#names.get(`${type}:${oid}`) ?? Buffer.from(String(oid), 'utf8');
  }

  /** A binary reg*[] value as the binary `text[]` of its names (same dimensions and NULLs). */
  #textArray(element: number, binary: Buffer): Buffer {
    const ndim = binary.readInt32BE(0);
    const headerLength = 12 + 8 * Math.max(ndim, 0);
    const parts: Buffer[] = [Buffer.from(binary.subarray(0, headerLength))];
    parts[0]!.writeUInt32BE(TEXT_OID, 8);
    for (const oid of arrayElements(binary)) {
      const length = Buffer.alloc(4);
      if (oid === null) {
        length.writeInt32BE(-1, 0);
        parts.push(length);
        continue;
      }
      const name = this.#name(element, oid);
      length.writeInt32BE(name.length, 0);
      parts.push(length, name);
    }
    return Buffer.concat(parts);
  }
}

/** The elements of a binary one-or-more-dimensional array of 4-byte OIDs (null for NULL). */
function arrayElements(binary: Buffer): (number | null)[] {
  const ndim = binary.readInt32BE(0);
  let count = ndim > 0 ? 1 : 0;
  for (let d = 0; d < ndim; d++) count *= binary.readInt32BE(12 + 8 * d);
  const out: (number | null)[] = [];
  let p = 12 + 8 * Math.max(ndim, 0);
  for (let i = 0; i < count; i++) {
    const length = binary.readInt32BE(p);
    p += 4;
    if (length < 0) {
      out.push(null);
      continue;
    }
    out.push(binary.readUInt32BE(p));
    p += length;
  }
  return out;
}
