import { describe, expect, it } from 'vitest';
import { addEnumLabelsDdl, createEnumTypeDdl, planCreateTable } from '../src/create-table-ddl.js';
import { frameColumns } from '../src/frame-columns.js';

const field = (name: string, pgType: string | undefined, nullable = true, extra: Record<string, string> = {}) => ({
  name,
  type: 'Utf8',
  nullable,
  metadata: pgType === undefined ? extra : { 'rapidbyte.pg_type': pgType, 'rapidbyte.pg_category': 'N', ...extra },
});

function columnsOf(fields: ReturnType<typeof field>[]) {
  const described = frameColumns({ fields });
  if (!described.ok) throw new Error(described.message);
  return described.columns;
}

describe('planCreateTable', () => {
  it('emits the exact source types, NOT NULL and the primary key, all quoted', () => {
    const columns = columnsOf([
      field('id', 'bigint', false),
      field('Amount', 'numeric(38,10)'),
      field('name', 'character varying(20)'),
      field('at', 'timestamp with time zone'),
      field('tags', 'integer[]'),
      field('select', 'text'),
    ]);
    const plan = planCreateTable('raw', 'TypeZoo', columns, ['id']);
    expect(plan.ok && plan.createTable).toBe(
      'CREATE TABLE "raw"."TypeZoo" (\n' +
        '  "id" bigint NOT NULL,\n' +
        '  "Amount" numeric(38,10),\n' +
        '  "name" character varying(20),\n' +
        '  "at" timestamp with time zone,\n' +
        '  "tags" integer[],\n' +
        '  "select" text,\n' +
        '  PRIMARY KEY ("id")\n' +
        ')',
    );
    expect(plan.ok && plan.enums).toEqual([]);
  });

  it('creates enum types in the destination schema under their unqualified name', () => {
    const columns = columnsOf([
      field('m', 'other."Mood"', true, {
        'rapidbyte.pg_category': 'E',
        'rapidbyte.pg_enum_labels': '["sad","it\'s ok"]',
      }),
      field('m2', '"Mood"', false, { 'rapidbyte.pg_category': 'E', 'rapidbyte.pg_enum_labels': '["sad","it\'s ok"]' }),
    ]);
    const plan = planCreateTable('raw', 't', columns, undefined, { ifNotExists: true });
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.enums).toEqual([{ schema: 'raw', name: 'Mood', labels: ['sad', "it's ok"] }]);
    expect(plan.createTable).toBe(
      'CREATE TABLE IF NOT EXISTS "raw"."t" (\n  "m" "raw"."Mood",\n  "m2" "raw"."Mood" NOT NULL\n)',
    );
    expect(createEnumTypeDdl(plan.enums[0])).toBe(`CREATE TYPE "raw"."Mood" AS ENUM ('sad', 'it''s ok')`);
    expect(addEnumLabelsDdl(plan.enums[0], ['sad'])).toEqual([
      `ALTER TYPE "raw"."Mood" ADD VALUE IF NOT EXISTS 'it''s ok'`,
    ]);
  });

  it('makes an array of an enum an array of the enum created in the destination schema', () => {
    const columns = columnsOf([
      field('moods', 'other."Mood"[]', true, {
        'rapidbyte.pg_category': 'A',
        'rapidbyte.pg_enum_labels': '["sad","ok"]',
      }),
      field('sizes', 'size[]', true, { 'rapidbyte.pg_category': 'A', 'rapidbyte.pg_enum_labels': '["s","m"]' }),
      field('m', 'other."Mood"', true, { 'rapidbyte.pg_category': 'E', 'rapidbyte.pg_enum_labels': '["sad","ok"]' }),
      field('ints', 'integer[]', true, { 'rapidbyte.pg_category': 'A' }),
    ]);
    const plan = planCreateTable('Ware House', 't', columns, undefined);
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.enums).toEqual([
      { schema: 'Ware House', name: 'Mood', labels: ['sad', 'ok'] },
      { schema: 'Ware House', name: 'size', labels: ['s', 'm'] },
    ]);
    expect(plan.createTable).toBe(
      'CREATE TABLE "Ware House"."t" (\n  "moods" "Ware House"."Mood"[],\n  "sizes" "Ware House"."size"[],\n  "m" "Ware House"."Mood",\n  "ints" integer[]\n)',
    );
  });

  it('handles a frame with zero columns', () => {
    const plan = planCreateTable('s', 't', [], undefined);
    expect(plan.ok && plan.createTable).toBe('CREATE TABLE "s"."t" ()');
  });

  it('rejects a key column that is not in the frame and a type name that could end the statement', () => {
    expect(planCreateTable('s', 't', columnsOf([field('a', 'int')]), ['id'])).toMatchObject({
      ok: false,
      code: 'PRIMARY_KEY_COLUMN_MISSING',
      column: 'id',
    });
    expect(planCreateTable('s', 't', columnsOf([field('a', 'int); drop table x; --')]), undefined)).toMatchObject({
      ok: false,
      code: 'INVALID_TYPE_NAME',
      column: 'a',
    });
    const noLabels = columnsOf([field('m', 'mood', true, { 'rapidbyte.pg_category': 'E' })]);
    expect(planCreateTable('s', 't', noLabels, undefined)).toMatchObject({ ok: false, code: 'ENUM_LABELS_MISSING' });
  });
});

describe('frameColumns', () => {
  it('derives a Postgres type from the Arrow type when the frame did not come from Postgres', () => {
    const r = frameColumns({
      fields: [
        { name: 'n', type: 'Int64', nullable: false, metadata: {} },
        { name: 's', type: 'Utf8', nullable: true, metadata: {} },
        { name: 't', type: 'Timestamp<MICROSECOND, UTC>', nullable: true, metadata: {} },
      ],
    });
    expect(r.ok && r.columns.map((c) => [c.typeName, c.nullable])).toEqual([
      ['bigint', false],
      ['text', true],
      ['timestamp with time zone', true],
    ]);
    expect(
      frameColumns({ fields: [{ name: 'x', type: 'Struct<{a:Int32}>', nullable: true, metadata: {} }] }),
    ).toMatchObject({ ok: false, column: 'x' });
  });
});
