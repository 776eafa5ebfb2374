import { describe, expect, it } from 'vitest';
import type { FrameField } from '@rapidbyte/sdk';
import { evolutionDdl } from '../src/evolution-ddl.js';
import { DEFAULT_EVOLUTION_POLICY, type EvolutionPolicy } from '../src/evolution-policy.js';
import { planEvolution, sameFields, sameType, type TargetColumn } from '../src/plan-evolution.js';
import { SchemaChangeLog } from '../src/schema-change-log.js';

const field = (
  name: string,
  pgType: string | undefined,
  nullable = true,
  extra: Record<string, string> = {},
): FrameField => ({
  name,
  type: 'Utf8',
  nullable,
  metadata: { ...(pgType && { 'rapidbyte.pg_type': pgType }), ...extra },
});
const column = (name: string, typeName: string, nullable = true, inKey = false): TargetColumn => ({
  name,
  typeName,
  typeOid: 0,
  typeCategory: 'N',
  nullable,
  enumLabels: [],
  inKey,
});
const policy = (over: Partial<EvolutionPolicy>): EvolutionPolicy => ({ ...DEFAULT_EVOLUTION_POLICY, ...over });

const table = [column('id', 'integer', false, true), column('name', 'text'), column('n', 'integer')];
const same = [field('id', 'integer', false), field('name', 'text'), field('n', 'integer')];

describe('planEvolution', () => {
  it('plans nothing when the frame matches the table', () => {
    expect(planEvolution(same, table, DEFAULT_EVOLUTION_POLICY)).toEqual({ actions: [], errors: [], skipFields: [] });
  });

  it('new_column: add with the source type, ignore (not loaded), fail naming the column', () => {
    const fields = [...same, field('email', 'character varying(80)')];
    const add = planEvolution(fields, table, policy({ newColumn: 'add' }));
    expect(add.actions).toMatchObject([
      { column: 'email', change: 'new_column', action: 'add', to: 'character varying(80)' },
    ]);
    expect(add.skipFields).toEqual([]);
    const ignore = planEvolution(fields, table, policy({ newColumn: 'ignore' }));
    expect(ignore.actions).toMatchObject([{ column: 'email', action: 'ignore' }]);
    expect(ignore.skipFields).toEqual(['email']);
    const fail = planEvolution(fields, table, policy({ newColumn: 'fail' }));
    expect(fail.actions).toEqual([]);
    expect(fail.errors).toMatchObject([{ column: 'email', change: 'new_column' }]);
    expect(fail.errors[0]?.message).toContain('"email"');
  });

  it('new_column add without a usable type is an error', () => {
    const odd: FrameField = { name: 'x', type: 'Struct<>', nullable: true, metadata: {} };
    expect(planEvolution([...same, odd], table, DEFAULT_EVOLUTION_POLICY).errors).toMatchObject([
      { column: 'x', change: 'new_column' },
    ]);
  });

  it('removed_column: ignore keeps the column (dropping a NOT NULL outside the key), fail names it', () => {
    const t = [...table, column('req', 'text', false)];
    const ignore = planEvolution(same, t, policy({ removedColumn: 'ignore' }));
    expect(ignore.actions).toEqual([{ column: 'req', change: 'removed_column', action: 'ignore', dropNotNull: true }]);
    const fail = planEvolution(same.slice(1), table, policy({ removedColumn: 'fail' }));
    expect(fail.errors).toMatchObject([{ column: 'id', change: 'removed_column' }]);
  });

  it('type_change: coerce to the source type, null (skipped), fail naming both types', () => {
    const fields = [field('id', 'integer', false), field('name', 'text'), field('n', 'bigint')];
    expect(planEvolution(fields, table, policy({ typeChange: 'coerce' })).actions).toMatchObject([
      { column: 'n', change: 'type_change', action: 'coerce', from: 'integer', to: 'bigint' },
    ]);
    const nulled = planEvolution(fields, table, policy({ typeChange: 'null' }));
    expect(nulled.actions).toMatchObject([{ column: 'n', action: 'null' }]);
    expect(nulled.skipFields).toEqual(['n']);
    const fail = planEvolution(fields, table, policy({ typeChange: 'fail' }));
    expect(fail.errors[0]?.message).toMatch(/"n" changed type from integer to bigint/);
  });

  it('does not compare types of fields without rapidbyte.pg_type (the host converts them)', () => {
    const fields = [field('id', undefined, false), field('name', undefined), field('n', undefined)];
    expect(planEvolution(fields, table, policy({ typeChange: 'fail' }))).toEqual({
      actions: [],
      errors: [],
      skipFields: [],
    });
  });

  it('compares enum types by unqualified name', () => {
    const mood = { ...column('mood', 'dest.mood'), typeCategory: 'E' };
    const f = field('mood', 'public.mood', true, { 'rapidbyte.pg_category': 'E', 'rapidbyte.pg_enum_labels': '["a"]' });
    expect(planEvolution([f], [mood], policy({ typeChange: 'fail', removedColumn: 'fail' })).errors).toEqual([]);
  });

  it('nullability_change: a nullable field over a NOT NULL column is allowed (NOT NULL dropped) or fails; the key and the reverse are no change', () => {
    const t = [column('id', 'integer', false, true), column('name', 'text', false), column('n', 'integer')];
    const fields = [field('id', 'integer', true), field('name', 'text', true), field('n', 'integer', false)];
    expect(planEvolution(fields, t, policy({ nullabilityChange: 'allow' })).actions).toEqual([
      { column: 'name', change: 'nullability_change', action: 'allow', dropNotNull: true },
    ]);
    expect(planEvolution(fields, t, policy({ nullabilityChange: 'fail' })).errors).toMatchObject([
      { column: 'name', change: 'nullability_change' },
    ]);
  });

  it('lists every refused change at once', () => {
    const fields = [field('id', 'bigint', false), field('extra', 'text')];
    const strict = { newColumn: 'fail', removedColumn: 'fail', typeChange: 'fail', nullabilityChange: 'fail' } as const;
    expect(planEvolution(fields, table, strict).errors.map((e) => `${e.change}:${e.column}`)).toEqual([
      'type_change:id',
      'new_column:extra',
      'removed_column:name',
      'removed_column:n',
    ]);
  });
});

describe('evolutionDdl', () => {
  it('adds, coerces with USING, drops NOT NULL', () => {
    const [add] = planEvolution(
      [...same, field('e', 'character varying(80)')],
      table,
      DEFAULT_EVOLUTION_POLICY,
    ).actions;
    expect(add && evolutionDdl('s', 't', add)).toEqual({
      ok: true,
      enums: [],
      statements: ['ALTER TABLE "s"."t" ADD COLUMN IF NOT EXISTS "e" character varying(80)'],
    });
    const [coerce] = planEvolution(
      [field('id', 'integer', false), field('name', 'integer'), field('n', 'integer')],
      table,
      policy({ typeChange: 'coerce' }),
    ).actions;
    expect(coerce && evolutionDdl('s', 't', coerce)).toMatchObject({
      statements: ['ALTER TABLE "s"."t" ALTER COLUMN "name" TYPE integer USING "name"::integer'],
    });
    expect(
      evolutionDdl('s', 't', { column: 'c', change: 'nullability_change', action: 'allow', dropNotNull: true }),
    ).toMatchObject({
      statements: ['ALTER TABLE "s"."t" ALTER COLUMN "c" DROP NOT NULL'],
    });
  });

  it('refuses a type name that could end the statement', () => {
    const [add] = planEvolution([...same, field('e', 'int; DROP TABLE x')], table, DEFAULT_EVOLUTION_POLICY).actions;
    expect(add && evolutionDdl('s', 't', add)).toMatchObject({ ok: false, column: 'e' });
  });

  it('recreates an enum type in the destination schema for an added enum column', () => {
    const f = field('mood', 'public.mood', true, {
      'rapidbyte.pg_category': 'E',
      'rapidbyte.pg_enum_labels': '["a","b"]',
    });
    const [add] = planEvolution([...same, f], table, DEFAULT_EVOLUTION_POLICY).actions;
    expect(add && evolutionDdl('s', 't', add)).toEqual({
      ok: true,
      enums: [{ schema: 's', name: 'mood', labels: ['a', 'b'] }],
      statements: ['ALTER TABLE "s"."t" ADD COLUMN IF NOT EXISTS "mood" "s"."mood"'],
    });
  });
});

describe('sameFields and SchemaChangeLog', () => {
  it('sees a changed source type, a new field and a nullability flip', () => {
    expect(
      sameFields(
        same,
        same.map((f) => ({ ...f })),
      ),
    ).toBe(true);
    expect(sameFields(same, [same[0]!, same[1]!, field('n', 'bigint')])).toBe(false);
    expect(sameFields(same, [...same, field('x', 'text')])).toBe(false);
    expect(sameFields(same, [same[0]!, same[1]!, field('n', 'integer', false)])).toBe(false);
  });

  it('counts the rows written NULL after a type_change: null', () => {
    const log = new SchemaChangeLog();
    log.record([{ column: 'a', change: 'new_column', action: 'add', to: 'text' }], 0);
    log.record([{ column: 'n', change: 'type_change', action: 'null', from: 'integer', to: 'text' }], 40);
    expect(log.list(100)).toEqual([
      { column: 'a', change: 'new_column', action: 'add', to: 'text' },
      { column: 'n', change: 'type_change', action: 'null', from: 'integer', to: 'text', rows: 60 },
    ]);
  });
});

describe('sameType', () => {
  const source = (typeName: string, category: string, enumLabels: string[] = []) => ({
    name: 'c',
    typeName,
    category,
    nullable: true,
    enumLabels,
  });
  const target = (typeName: string, typeCategory: string, enumLabels: string[] = []) => ({
    name: 'c',
    typeName,
    typeOid: 16500,
    typeCategory,
    nullable: true,
    enumLabels,
  });
  it('compares enum arrays by their element name, whatever schema holds the enum', () => {
    expect(sameType(source('app."Mood"[]', 'A', ['a']), target('"Ware House"."Mood"[]', 'A', ['a']))).toBe(true);
    expect(sameType(source('size[]', 'A', ['s']), target('wh.size[]', 'A', ['s']))).toBe(true);
    expect(sameType(source('size[]', 'A', ['s']), target('text[]', 'A'))).toBe(false);
    expect(sameType(source('size[]', 'A', ['s']), target('wh.size', 'E', ['s']))).toBe(false);
    expect(sameType(source('integer[]', 'A'), target('integer[]', 'A'))).toBe(true);
  });
});
