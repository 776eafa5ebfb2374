import type { RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { pgColumnToArrowField, type PgColumn } from '../codecs/index.js';
import { pg } from '../codecs/test-support/copy-stream-builder.js';
import { CDC_LSN_COLUMN, CDC_OP_COLUMN, CDC_UNCHANGED_COLUMN } from '@rapidbyte/sdk/contract';
import { ChangeBatchBuilder, type ChangeBatchOptions } from './change-batch-builder.js';
import { parsePgOutput } from './pgoutput-message.js';
import type { DeleteMessage, InsertMessage, RelationMessage, UpdateMessage } from './pgoutput-types.js';
import { pgo, type RelationColumnSpec, type TupleSpec } from './test-support/pgoutput-builder.js';

const REL = 16401;
const COLUMNS: PgColumn[] = [
  { name: 'id', typeName: 'bigint', typeOid: 20, typeCategory: 'N', nullable: false },
  { name: 'name', typeName: 'text', typeOid: 25, typeCategory: 'S', nullable: true },
  { name: 'bio', typeName: 'text', typeOid: 25, typeCategory: 'S', nullable: true },
  { name: 'score', typeName: 'integer', typeOid: 23, typeCategory: 'N', nullable: true },
];
const REL_COLUMNS: RelationColumnSpec[] = COLUMNS.map((c) => ({
  name: c.name,
  typeOid: c.typeOid,
  key: c.name === 'id',
}));

function builder(
  extra: Partial<ChangeBatchOptions> = {},
  relation: readonly RelationColumnSpec[] = REL_COLUMNS,
): ChangeBatchBuilder {
  const b = new ChangeBatchBuilder({
    stream: 'public.users',
    columns: COLUMNS,
    key: ['id'],
    mode: 'upsert',
    batchRows: 1000,
    maxBatchBytes: 1 << 20,
    metadata: [['rapidbyte.stream', 'public.users']],
    ...extra,
  });
  b.relation(parsePgOutput(pgo.relation(REL, 'public', 'users', relation)) as RelationMessage);
  return b;
}

const t = (s: string) => Buffer.from(s);
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- 'u' (unchanged TOAST) is named for the reader
const row = (id: number, name: string | null | 'u', bio: string | null | 'u', score: number | null): TupleSpec => [
  pg.int8(BigInt(id)),
  name === null || name === 'u' ? name : t(name),
  bio === null || bio === 'u' ? bio : t(bio),
  score === null ? null : pg.int4(score),
];
const ins = (b: ChangeBatchBuilder, v: TupleSpec, lsn = 1n) =>
  b.insert(parsePgOutput(pgo.insert(REL, v)) as InsertMessage, lsn);
const upd = (b: ChangeBatchBuilder, v: TupleSpec, old?: { kind: 'K' | 'O'; values: TupleSpec }, lsn = 2n) =>
  b.update(parsePgOutput(pgo.update(REL, v, old)) as UpdateMessage, lsn);
const del = (b: ChangeBatchBuilder, kind: 'K' | 'O', v: TupleSpec, lsn = 3n) =>
  b.delete(parsePgOutput(pgo.delete(REL, kind, v)) as DeleteMessage, lsn);
const keyOnly = (id: number): TupleSpec => [pg.int8(BigInt(id)), null, null, null];

/** The frame as plain rows: stream columns, op, lsn (bigint) and the unchanged list. */
function rows(batch: RecordBatch | undefined): Record<string, unknown>[] {
  if (batch === undefined) throw new Error('frame expected');
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const lsn = batch.getChild(CDC_LSN_COLUMN)!.get(i) as Uint8Array;
    const unchanged = batch.getChild(CDC_UNCHANGED_COLUMN)!.get(i) as string | null;
    out.push({
      id: batch.getChild('id')!.get(i),
      name: batch.getChild('name')!.get(i),
      bio: batch.getChild('bio')!.get(i),
      score: batch.getChild('score')!.get(i),
      op: batch.getChild(CDC_OP_COLUMN)!.get(i),
      lsn: Buffer.from(lsn).readBigUInt64BE(0),
      unchanged: unchanged === null ? null : JSON.parse(unchanged),
    });
  }
  return out;
}

describe('ChangeBatchBuilder frame schema', () => {
  it('has the codec fields (nullable), then _rb_op, _rb_lsn, _rb_unchanged, and the metadata', () => {
    const b = builder();
    ins(b, row(1, 'a', 'b', 7), 0x16b374d848n);
    const batch = b.flush()!;
    const fields = batch.schema.fields;
    expect(fields.map((f) => f.name)).toEqual(['id', 'name', 'bio', 'score', '_rb_op', '_rb_lsn', '_rb_unchanged']);
    COLUMNS.forEach((c, i) => {
      const expected = pgColumnToArrowField({ ...c, nullable: true });
      expect(String(fields[i]!.type)).toBe(String(expected.type));
      expect(fields[i]!.nullable).toBe(true);
      expect([...fields[i]!.metadata]).toEqual([...expected.metadata]);
    });
    expect(String(fields[4]!.type)).toBe('Utf8');
    expect(String(fields[5]!.type)).toBe('Binary');
    expect(fields[5]!.metadata.get('rapidbyte.pg_type')).toBe('pg_lsn');
    expect(fields[5]!.metadata.get('rapidbyte.pg_oid')).toBe('3220');
    expect(String(fields[6]!.type)).toBe('Utf8');
    expect(fields.map((f) => f.metadata.get('rapidbyte.cdc_column'))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      'op',
      'lsn',
      'unchanged',
    ]);
    expect(batch.schema.metadata.get('rapidbyte.cdc_phase')).toBe('changes');
    expect(batch.schema.metadata.get('rapidbyte.stream')).toBe('public.users');
    expect(rows(batch)).toEqual([
      { id: 1n, name: 'a', bio: 'b', score: 7, op: 'I', lsn: 0x16b374d848n, unchanged: null },
    ]);
  });

  it('a stream column named _rb_op / _rb_lsn / _rb_unchanged stays an ordinary column; the change columns get free names and their role marks', () => {
    const own: PgColumn[] = [
      { name: 'id', typeName: 'bigint', typeOid: 20, typeCategory: 'N', nullable: false },
      { name: '_rb_op', typeName: 'text', typeOid: 25, typeCategory: 'S', nullable: true },
      { name: '_rb_lsn', typeName: 'bigint', typeOid: 20, typeCategory: 'N', nullable: true },
      { name: '_rb_op_1', typeName: 'text', typeOid: 25, typeCategory: 'S', nullable: true },
    ];
    const b = new ChangeBatchBuilder({
      stream: 'public.t',
      columns: own,
      key: ['id'],
      mode: 'upsert',
      batchRows: 1000,
      maxBatchBytes: 1 << 20,
      metadata: [],
    });
    b.relation(
      parsePgOutput(
        pgo.relation(
          REL,
          'public',
          't',
          own.map((c) => ({ name: c.name, typeOid: c.typeOid, key: c.name === 'id' })),
        ),
      ) as RelationMessage,
    );
    // the row's own _rb_op says 'D'; the change is an insert, then an update of the same key
    b.insert(parsePgOutput(pgo.insert(REL, [pg.int8(1n), t('D'), pg.int8(7n), t('x')])) as InsertMessage, 5n);
    b.update(parsePgOutput(pgo.update(REL, [pg.int8(1n), t('T'), pg.int8(8n), t('y')])) as UpdateMessage, 6n);
    const batch = b.flush()!;
    const fields = batch.schema.fields;
    expect(fields.map((f) => f.name)).toEqual([
      'id',
      '_rb_op',
      '_rb_lsn',
      '_rb_op_1',
      '_rb_op_2',
      '_rb_lsn_1',
      '_rb_unchanged',
    ]);
    expect(fields.map((f) => f.metadata.get('rapidbyte.cdc_column') ?? '')).toEqual([
      '',
      '',
      '',
      '',
      'op',
      'lsn',
      'unchanged',
    ]);
    expect(String(fields[2]!.type)).toBe('Int64');
    expect(batch.getChild('_rb_op')!.get(0)).toBe('T');
    expect(batch.getChild('_rb_lsn')!.get(0)).toBe(8n);
    expect(batch.getChild('_rb_op_1')!.get(0)).toBe('y');
    expect(batch.getChild('_rb_op_2')!.get(0)).toBe('U');
    expect(Buffer.from(batch.getChild('_rb_lsn_1')!.get(0) as Uint8Array).readBigUInt64BE(0)).toBe(6n);
  });

  it('merges entries into a JSON object of the schema metadata for the frames from then on', () => {
    const b = builder({ metadata: [['rapidbyte.renamed_columns', '{"a":"b"}']] });
    b.mergeMetadata('rapidbyte.renamed_columns', { c: 'd' });
    b.mergeMetadata('rapidbyte.column_fill', {});
    ins(b, row(1, 'a', 'b', 1));
    const batch = b.flush()!;
    expect(batch.schema.metadata.get('rapidbyte.renamed_columns')).toBe('{"a":"b","c":"d"}');
    expect(batch.schema.metadata.has('rapidbyte.column_fill')).toBe(false);
  });

  it('never produces a 0-row frame', () => {
    const b = builder();
    expect(b.flush()).toBeUndefined();
    ins(b, row(1, 'a', 'b', 1));
    expect(b.flush()!.numRows).toBe(1);
    expect(b.flush()).toBeUndefined();
    expect(b.rows).toBe(0);
    expect(b.bytes).toBe(0);
  });

  it('is full at batchRows and at maxBatchBytes', () => {
    const b = builder({ batchRows: 3 });
    ins(b, row(1, 'a', null, 1));
    ins(b, row(2, 'a', null, 1));
    expect(b.full).toBe(false);
    upd(b, row(2, 'b', null, 1));
    expect([b.rows, b.full]).toEqual([2, false]);
    ins(b, row(3, 'a', null, 1));
    expect([b.rows, b.full]).toEqual([3, true]);
    expect(b.flush()!.numRows).toBe(3);
    expect(b.full).toBe(false);
    const small = builder({ maxBatchBytes: 200 });
    ins(small, row(1, 'x'.repeat(100), null, 1));
    expect(small.full).toBe(false);
    ins(small, row(2, 'x'.repeat(100), null, 1));
    expect(small.full).toBe(true);
    expect(small.bytes).toBeGreaterThanOrEqual(200);
  });
});

describe('ChangeBatchBuilder upsert coalescing', () => {
  it('keeps insert, update and delete of different keys in first-appearance order', () => {
    const b = builder();
    ins(b, row(1, 'a', 'x', 1), 10n);
    upd(b, row(2, 'b', 'y', 2), undefined, 11n);
    del(b, 'K', keyOnly(3), 12n);
    expect(rows(b.flush())).toEqual([
      { id: 1n, name: 'a', bio: 'x', score: 1, op: 'I', lsn: 10n, unchanged: null },
      { id: 2n, name: 'b', bio: 'y', score: 2, op: 'U', lsn: 11n, unchanged: null },
      { id: 3n, name: null, bio: null, score: null, op: 'D', lsn: 12n, unchanged: null },
    ]);
  });

  it('insert-update-delete of one key → a single D', () => {
    const b = builder();
    ins(b, row(1, 'a', 'x', 1));
    upd(b, row(1, 'b', 'x', 2));
    del(b, 'K', keyOnly(1), 5n);
    expect(b.rows).toBe(1);
    expect(rows(b.flush())).toEqual([
      { id: 1n, name: null, bio: null, score: null, op: 'D', lsn: 5n, unchanged: null },
    ]);
  });

  it('delete then re-insert → a single I', () => {
    const b = builder();
    del(b, 'K', keyOnly(1));
    ins(b, row(1, 'new', 'x', 9), 4n);
    expect(rows(b.flush())).toEqual([{ id: 1n, name: 'new', bio: 'x', score: 9, op: 'I', lsn: 4n, unchanged: null }]);
  });

  it('key change: D for the old key, U for the new one carrying the earlier values of unchanged columns', () => {
    const b = builder();
    ins(b, row(1, 'a', 'long bio', 1));
    upd(b, row(2, 'a', 'u', 1), { kind: 'K', values: keyOnly(1) }, 7n);
    expect(rows(b.flush())).toEqual([
      { id: 1n, name: null, bio: null, score: null, op: 'D', lsn: 7n, unchanged: null },
      { id: 2n, name: 'a', bio: 'long bio', score: 1, op: 'U', lsn: 7n, unchanged: null },
    ]);
  });

  it('key change onto a key deleted earlier in the frame overwrites it', () => {
    const b = builder();
    del(b, 'K', keyOnly(2));
    upd(b, row(2, 'moved', 'u', 1), { kind: 'K', values: keyOnly(1) });
    expect(rows(b.flush())).toEqual([
      { id: 2n, name: 'moved', bio: null, score: 1, op: 'U', lsn: 2n, unchanged: ['bio'] },
      { id: 1n, name: null, bio: null, score: null, op: 'D', lsn: 2n, unchanged: null },
    ]);
  });

  it('unchanged TOAST is merged from an earlier insert in the same frame', () => {
    const b = builder();
    ins(b, row(1, 'a', 'big', 1));
    upd(b, row(1, 'b', 'u', 2));
    upd(b, row(1, 'c', 'u', 3));
    expect(rows(b.flush())).toEqual([{ id: 1n, name: 'c', bio: 'big', score: 3, op: 'U', lsn: 2n, unchanged: null }]);
  });

  it('unchanged TOAST stays unchanged (listed, NULL) when not known', () => {
    const b = builder();
    upd(b, row(1, 'b', 'u', 2));
    upd(b, row(1, 'u', 'u', 3));
    ins(b, row(2, 'x', 'y', 1));
    const r = rows(b.flush());
    expect(r[0]).toEqual({ id: 1n, name: 'b', bio: null, score: 3, op: 'U', lsn: 2n, unchanged: ['bio'] });
    expect(r[1]!.unchanged).toBeNull();
    // a later frame does not remember earlier ones
    ins(b, row(3, 'a', 'known', 1));
    expect(b.flush()!.numRows).toBe(1);
    upd(b, row(3, 'a', 'u', 1));
    expect(rows(b.flush())[0]!.unchanged).toEqual(['bio']);
  });

  it('a FULL old tuple fills unchanged columns', () => {
    const b = builder();
    upd(b, row(1, 'new', 'u', 2), { kind: 'O', values: row(1, 'old', 'full bio', 1) });
    expect(rows(b.flush())).toEqual([
      { id: 1n, name: 'new', bio: 'full bio', score: 2, op: 'U', lsn: 2n, unchanged: null },
    ]);
  });

  it('a FULL old tuple with a different key gives D + U', () => {
    const b = builder();
    upd(b, row(2, 'n', 'u', 2), { kind: 'O', values: row(1, 'o', 'bio', 1) });
    expect(rows(b.flush())).toEqual([
      { id: 1n, name: null, bio: null, score: null, op: 'D', lsn: 2n, unchanged: null },
      { id: 2n, name: 'n', bio: 'bio', score: 2, op: 'U', lsn: 2n, unchanged: null },
    ]);
  });

  it('a delete with a FULL old tuple keeps only the key', () => {
    const b = builder();
    del(b, 'O', row(1, 'a', 'b', 1));
    expect(rows(b.flush())[0]).toMatchObject({ id: 1n, name: null, bio: null, score: null, op: 'D' });
  });

  it('an update after a delete in the same frame does not take values from the delete row', () => {
    const b = builder();
    del(b, 'K', keyOnly(1));
    upd(b, row(1, 'a', 'u', 1));
    expect(rows(b.flush())[0]).toMatchObject({ op: 'U', bio: null, unchanged: ['bio'] });
  });

  it('compacts when one key is updated many times and keeps the final state', () => {
    const b = builder();
    const bio = 'x'.repeat(2000);
    ins(b, row(1, 'a', bio, 0));
    for (let i = 1; i <= 2000; i++) upd(b, row(1, 'a', 'u', i), undefined, BigInt(i));
    ins(b, row(2, 'b', 'y', 0));
    expect(b.rows).toBe(2);
    expect(b.bytes).toBeLessThan(5000);
    expect(rows(b.flush())).toEqual([
      { id: 1n, name: 'a', bio, score: 2000, op: 'U', lsn: 2000n, unchanged: null },
      { id: 2n, name: 'b', bio: 'y', score: 0, op: 'I', lsn: 1n, unchanged: null },
    ]);
  });

  it('truncate returns the pending frame, then a one-row T frame', () => {
    const b = builder();
    ins(b, row(1, 'a', 'b', 1));
    const frames = b.truncate(9n);
    expect(frames).toHaveLength(2);
    expect(rows(frames[0])).toHaveLength(1);
    expect(rows(frames[1])).toEqual([
      { id: null, name: null, bio: null, score: null, op: 'T', lsn: 9n, unchanged: null },
    ]);
    expect(frames[1]!.schema.metadata.get('rapidbyte.cdc_phase')).toBe('changes');
    expect(b.rows).toBe(0);
    expect(b.truncate(10n)).toHaveLength(1);
  });
});

describe('ChangeBatchBuilder append mode', () => {
  it('keeps every change in arrival order', () => {
    const b = builder({ mode: 'append', key: [] });
    ins(b, row(1, 'a', 'big', 1), 1n);
    upd(b, row(1, 'b', 'u', 2), undefined, 2n);
    upd(b, row(2, 'c', 'u', 3), { kind: 'K', values: keyOnly(1) }, 3n);
    upd(b, row(2, 'd', 'u', 4), { kind: 'O', values: row(2, 'c', 'old bio', 3) }, 4n);
    del(b, 'K', keyOnly(2), 5n);
    del(b, 'O', row(3, 'e', 'f', 6), 6n);
    expect(b.rows).toBe(6);
    expect(rows(b.flush())).toEqual([
      { id: 1n, name: 'a', bio: 'big', score: 1, op: 'I', lsn: 1n, unchanged: null },
      { id: 1n, name: 'b', bio: null, score: 2, op: 'U', lsn: 2n, unchanged: ['bio'] },
      { id: 2n, name: 'c', bio: null, score: 3, op: 'U', lsn: 3n, unchanged: ['bio'] },
      { id: 2n, name: 'd', bio: 'old bio', score: 4, op: 'U', lsn: 4n, unchanged: null },
      { id: 2n, name: null, bio: null, score: null, op: 'D', lsn: 5n, unchanged: null },
      { id: 3n, name: 'e', bio: 'f', score: 6, op: 'D', lsn: 6n, unchanged: null },
    ]);
  });
});

describe('ChangeBatchBuilder errors', () => {
  const schemaError = (relation: RelationColumnSpec[], extra: Partial<ChangeBatchOptions> = {}) => {
    try {
      builder(extra, relation);
    } catch (e) {
      return e as Error & { code: string; kind: string; stream: string; column: string };
    }
    throw new Error('no error');
  };

  const announce = (b: ChangeBatchBuilder, relation: readonly RelationColumnSpec[]) =>
    b.relation(parsePgOutput(pgo.relation(REL, 'public', 'users', relation)) as RelationMessage);
  const pgType = (batch: RecordBatch | undefined, column: string) =>
    batch?.schema.fields.find((f) => f.name === column)?.metadata.get('rapidbyte.pg_type');

  it('follows an added, a dropped and a retyped column: pending rows leave in the old shape, later frames carry the new columns', () => {
    const b = builder();
    ins(b, row(1, 'a', 'b', 1));
    // ADD COLUMN nickname text, price numeric(12,2): the pending row flushes with the old columns
    const before = announce(b, [
      ...REL_COLUMNS,
      { name: 'nickname', typeOid: 25 },
      { name: 'price', typeOid: 1700, typeMod: ((12 << 16) | 2) + 4 },
    ]);
    expect(before?.schema.fields.map((f) => f.name)).toEqual([
      'id',
      'name',
      'bio',
      'score',
      CDC_OP_COLUMN,
      CDC_LSN_COLUMN,
      CDC_UNCHANGED_COLUMN,
    ]);
    expect(before?.numRows).toBe(1);
    ins(b, [...row(2, 'c', 'd', 2), t('nick'), null]);
    const added = b.flush();
    expect(added?.schema.fields.map((f) => f.name).slice(0, 6)).toEqual([
      'id',
      'name',
      'bio',
      'score',
      'nickname',
      'price',
    ]);
    expect(added?.getChild('nickname')?.get(0)).toBe('nick');
    expect(pgType(added, 'price')).toBe('numeric(12,2)');
    // DROP COLUMN bio, ALTER score TYPE bigint: nothing pending, so nothing flushes
    expect(
      announce(b, [
        REL_COLUMNS[0]!,
        REL_COLUMNS[1]!,
        { name: 'score', typeOid: 20 },
        { name: 'nickname', typeOid: 25 },
        { name: 'price', typeOid: 1700, typeMod: ((12 << 16) | 2) + 4 },
      ]),
    ).toBeUndefined();
    ins(b, [pg.int8(3n), t('e'), pg.int8(9000000000n), null, null]);
    const after = b.flush();
    expect(after?.schema.fields.map((f) => f.name).slice(0, 5)).toEqual(['id', 'name', 'score', 'nickname', 'price']);
    expect(after?.getChild('score')?.get(0)).toBe(9000000000n);
    expect(pgType(after, 'score')).toBe('bigint');
    // the same relation again changes nothing
    expect(
      announce(b, [
        REL_COLUMNS[0]!,
        REL_COLUMNS[1]!,
        { name: 'score', typeOid: 20 },
        { name: 'nickname', typeOid: 25 },
        { name: 'price', typeOid: 1700, typeMod: ((12 << 16) | 2) + 4 },
      ]),
    ).toBeUndefined();
  });

  it('a stream with a column list does not follow added columns; ignored columns stay ignored', () => {
    const b = builder({ metadata: [['rapidbyte.projected', 'true']], ignoreColumns: [] });
    announce(b, [...REL_COLUMNS, { name: 'nickname', typeOid: 25 }]);
    ins(b, [...row(1, 'a', 'b', 1), t('nick')]);
    expect(
      b
        .flush()
        ?.schema.fields.map((f) => f.name)
        .slice(0, 4),
    ).toEqual(['id', 'name', 'bio', 'score']);
  });

  it('refuses what it cannot follow: a type it cannot name, a dropped key column', () => {
    const enumType = schemaError([...REL_COLUMNS, { name: 'mood', typeOid: 16700 }]);
    expect(enumType).toMatchObject({
      code: 'CDC_SCHEMA_CHANGED',
      kind: 'permanent',
      stream: 'public.users',
      column: 'mood',
    });
    expect(enumType.message).toMatch(/only builtin types are evolved/);
    expect(enumType.message).toContain('state reset');
    const noKey = schemaError(REL_COLUMNS.filter((c) => c.name !== 'id'));
    expect(noKey).toMatchObject({ code: 'CDC_SCHEMA_CHANGED', column: 'id' });
  });

  it('skips ignored columns and compares domains by attTypeOid', () => {
    const domain = COLUMNS.map((c) => (c.name === 'score' ? { ...c, attTypeOid: 16600 } : c));
    const b = builder({ ignoreColumns: ['secret'], columns: domain }, [
      ...REL_COLUMNS.slice(0, 2),
      { name: 'secret', typeOid: 25 },
      REL_COLUMNS[2]!,
      { name: 'score', typeOid: 16600 },
    ]);
    b.insert(
      parsePgOutput(pgo.insert(REL, [pg.int8(1n), t('a'), t('hidden'), t('b'), pg.int4(5)])) as InsertMessage,
      1n,
    );
    expect(rows(b.flush())).toEqual([{ id: 1n, name: 'a', bio: 'b', score: 5, op: 'I', lsn: 1n, unchanged: null }]);
    // plain int4 where the domain was: the column is retyped to integer
    const plain = builder({ columns: domain });
    ins(plain, row(1, 'a', 'b', 7));
    expect(pgType(plain.flush(), 'score')).toBe('integer');
    // an ignored column that is not in the relation is fine
    expect(() => builder({ ignoreColumns: ['gone'] })).not.toThrow();
  });

  it('rejects changes of an unannounced relation, tuples of the wrong width and text values', () => {
    const b = builder();
    expect(() => b.insert(parsePgOutput(pgo.insert(REL + 1, row(1, 'a', 'b', 1))) as InsertMessage, 1n)).toThrow(
      expect.objectContaining({
        code: 'PGOUTPUT_PROTOCOL',
        message: expect.stringContaining('before its Relation message'),
      }),
    );
    expect(() => ins(b, [pg.int8(1n)])).toThrow(expect.objectContaining({ code: 'PGOUTPUT_PROTOCOL' }));
    expect(() => ins(b, [pg.int8(1n), null, null, { text: '7' }])).toThrow(
      expect.objectContaining({ code: 'CDC_TEXT_VALUE', column: 'score' }),
    );
  });

  it('takes a text value of a column carried as text (a type without a send function comes as text even in binary mode)', () => {
    const b = builder();
    ins(b, [pg.int8(1n), { text: '978-0-306-40615-7' }, null, null]);
    expect(rows(b.flush())).toMatchObject([{ id: 1n, name: '978-0-306-40615-7', bio: null, score: null, op: 'I' }]);
  });

  it('rejects a key it cannot know and inconsistent options', () => {
    const b = builder();
    expect(() => upd(b, ['u', t('a'), null, null])).toThrow(
      expect.objectContaining({ code: 'CDC_KEY_UNKNOWN', column: 'id' }),
    );
    expect(() => builder({ key: [] })).toThrow(expect.objectContaining({ code: 'CDC_BAD_OPTIONS' }));
    expect(() => builder({ key: ['nope'] })).toThrow(
      expect.objectContaining({ code: 'CDC_BAD_OPTIONS', column: 'nope' }),
    );
  });
});
