import { describe, expect, it } from 'vitest';
import { planCreateTable } from '../src/create-table-ddl.js';
import { generatedColumnsOf, isSafeExpression, withGeneratedColumns } from '../src/generated-columns.js';

const column = (name: string) => ({ name, typeName: 'integer', category: 'N', nullable: true, enumLabels: [] });
const meta = (list: unknown) => ({ 'rapidbyte.generated_columns': JSON.stringify(list) });

describe('generated columns the frames leave out', () => {
  it('are created GENERATED ALWAYS AS (expression) STORED at their position among the stream columns', () => {
    const { specs, rejected } = generatedColumnsOf(
      meta([
        { name: 'label', type: 'text', expression: "(upper(name) || '#'::text)", position: 3 },
        { name: 'total', type: 'numeric', expression: '((qty)::numeric * price)', position: 2 },
      ]),
    );
    expect(rejected).toEqual([]);
    const columns = withGeneratedColumns(['id', 'qty', 'price', 'name'].map(column), specs);
    expect(columns.map((c) => c.name)).toEqual(['id', 'qty', 'total', 'label', 'price', 'name']);
    const plan = planCreateTable('raw', 'items', columns, ['id']);
    expect(plan.ok && plan.createTable).toBe(
      'CREATE TABLE "raw"."items" (\n' +
        '  "id" integer,\n  "qty" integer,\n' +
        '  "total" numeric GENERATED ALWAYS AS (((qty)::numeric * price)) STORED,\n' +
        `  "label" text GENERATED ALWAYS AS ((upper(name) || '#'::text)) STORED,\n` +
        '  "price" integer,\n  "name" integer,\n  PRIMARY KEY ("id")\n)',
    );
  });

  it('a column the frames do carry is not added twice; no metadata, nothing added', () => {
    const { specs } = generatedColumnsOf(meta([{ name: 'qty', type: 'integer', expression: '(1)', position: 0 }]));
    expect(withGeneratedColumns(['id', 'qty'].map(column), specs).map((c) => c.name)).toEqual(['id', 'qty']);
    expect(generatedColumnsOf(undefined)).toEqual({ specs: [], rejected: [] });
  });

  it('refuses a description that could not be spliced into DDL safely', () => {
    expect(
      generatedColumnsOf(meta([{ name: 'x', type: 'int); DROP TABLE t; --', expression: '(1)', position: 0 }]))
        .rejected,
    ).toEqual(['x']);
    expect(
      generatedColumnsOf(
        meta([{ name: 'y', type: 'integer', expression: '1) STORED, z int GENERATED ALWAYS AS (2', position: 0 }]),
      ).rejected,
    ).toEqual(['y']);
    expect(generatedColumnsOf({ 'rapidbyte.generated_columns': '{' }).rejected).toEqual([
      'rapidbyte.generated_columns',
    ]);
  });
});

describe('isSafeExpression', () => {
  it('accepts one balanced expression, with ; ( ) and -- inside quotes', () => {
    expect(isSafeExpression('(qty * price)')).toBe(true);
    expect(isSafeExpression(`(note || ';)--' || "Odd ""col)")`)).toBe(true);
    expect(isSafeExpression(`'it''s'`)).toBe(true);
  });

  it('rejects what could end the clause or hide text', () => {
    for (const bad of [
      '1); DROP TABLE t',
      'a) STORED, b int GENERATED ALWAYS AS (1',
      '(a',
      'a -- c',
      'a /* c */',
      "'open",
      '',
      'a\0',
    ]) {
      expect(isSafeExpression(bad), bad).toBe(false);
    }
  });
});
