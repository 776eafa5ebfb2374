import { describe, expect, it } from 'vitest';
import type { PgConnectOptions } from '@rapidbyte/sdk/contract';
import type { InsertMessage, RelationMessage } from '../replication/index.js';
import { OidAliasText } from './oid-alias-text.js';

const connect = {
  host: '127.0.0.1',
  port: 1,
  user: 'u',
  password: '',
  database: 'd',
  sslMode: 'disable',
  applicationName: '',
} as PgConnectOptions;
const text = (name: string) => ({
  name,
  typeName: 'text',
  typeOid: 25,
  typeCategory: 'S',
  nullable: true,
  enumLabels: [],
});
const textArray = (name: string) => ({
  name,
  typeName: 'text[]',
  typeOid: 1009,
  typeCategory: 'A',
  nullable: true,
  enumLabels: [],
});

const relation: RelationMessage = {
  tag: 'relation',
  relationId: 7,
  namespace: 'public',
  name: 't',
  replicaIdentity: 'd',
  columns: [
    { key: true, name: 'id', typeOid: 23, typeMod: -1 },
    { key: false, name: 'rel', typeOid: 2205, typeMod: -1 },
    { key: false, name: 'rels', typeOid: 2210, typeMod: -1 },
    { key: false, name: 'note', typeOid: 25, typeMod: -1 },
  ],
};

function oid(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Binary one-dimensional array of `element` values (null = NULL). */
function array(element: number, values: (Buffer | null)[]): Buffer {
  const head = Buffer.alloc(20);
  head.writeInt32BE(1, 0);
  head.writeInt32BE(values.includes(null) ? 1 : 0, 4);
  head.writeUInt32BE(element, 8);
  head.writeInt32BE(values.length, 12);
  head.writeInt32BE(1, 16);
  const parts: Buffer[] = [head];
  for (const v of values) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(v === null ? -1 : v.length);
    parts.push(len, ...(v === null ? [] : [v]));
  }
  return Buffer.concat(parts);
}

describe('OidAliasText', () => {
  it('is only made for streams with a text column over an OID-alias type', () => {
    expect(OidAliasText.forStream(connect, 's', [text('note')], [25])).toBeUndefined();
    expect(
      OidAliasText.forStream(connect, 's', [{ ...text('x'), typeName: 'regclass', typeOid: 2205 }], [2205]),
    ).toBeUndefined();
    expect(OidAliasText.forStream(connect, 's', [text('rel')], [2205])).toBeDefined();
    expect(OidAliasText.forStream(connect, 's', [textArray('rels')], [2210])).toBeDefined();
  });

  it('rewrites scalar and array values of the carried columns into text (an OID without a name prints as its number), leaves the rest', async () => {
    const names = OidAliasText.forStream(
      connect,
      's',
      [text('id'), text('rel'), textArray('rels'), text('note')],
      [23, 2205, 2210, 25],
    )!;
    await names.prepare(relation);
    const insert: InsertMessage = {
      tag: 'insert',
      relationId: 7,
      newTuple: [
        { binary: oid(1) },
        { binary: oid(16400) },
        { binary: array(2205, [oid(1259), null]) },
        { binary: Buffer.from('n') },
      ],
    };
    const out = names.rewrite(insert) as InsertMessage;
    expect(out.newTuple[0]).toBe(insert.newTuple[0]);
    expect(out.newTuple[3]).toBe(insert.newTuple[3]);
    expect((out.newTuple[1] as { binary: Buffer }).binary.toString()).toBe('16400');
    expect((out.newTuple[2] as { binary: Buffer }).binary.toString('hex')).toBe(
      array(25, [Buffer.from('1259'), null]).toString('hex'),
    );
  });
});
