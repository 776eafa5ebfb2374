import { describe, expect, it } from 'vitest';
import { generatedColumnsFromRows, planGeneratedColumns, type GeneratedColumn } from '../src/generated-columns.js';

const col = (name: string) => ({
  name,
  typeName: 'integer',
  typeOid: 23,
  typeCategory: 'N',
  nullable: true,
  enumLabels: [],
});
const COLUMNS = ['id', 'qty', 'total', 'price', 'doubled', 'code'].map(col);
const total: GeneratedColumn = {
  name: 'total',
  typeName: 'numeric',
  expression: '(qty * price)',
  builtin: true,
  reads: ['qty', 'price'],
};
const doubled: GeneratedColumn = {
  name: 'doubled',
  typeName: 'integer',
  expression: 'twice(qty)',
  builtin: false,
  reads: ['qty'],
};

describe('planGeneratedColumns', () => {
  it('leaves a recreatable generated column out of the read and describes it with its position', () => {
    const plan = planGeneratedColumns('public.t', COLUMNS, [total], ['id'], false);
    expect(plan.columns.map((c) => c.name)).toEqual(['id', 'qty', 'price', 'doubled', 'code']);
    expect(plan.metadata).toEqual([
      [
        'rapidbyte.generated_columns',
        JSON.stringify([{ name: 'total', type: 'numeric', expression: '(qty * price)', position: 2 }]),
      ],
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it('reads one it cannot recreate as a plain value in a batch read, and leaves it out of a CDC stream with a warning naming it and why', () => {
    const batch = planGeneratedColumns('public.t', COLUMNS, [total, doubled], ['id'], false);
    expect(batch.columns.map((c) => c.name)).toEqual(['id', 'qty', 'price', 'doubled', 'code']);
    expect(batch.warnings).toEqual([]);
    const cdc = planGeneratedColumns('public.t', COLUMNS, [total, doubled], ['id'], true);
    expect(cdc.columns.map((c) => c.name)).toEqual(['id', 'qty', 'price', 'code']);
    expect(cdc.warnings).toEqual([
      'column "doubled" is generated (GENERATED ALWAYS AS (twice(qty)) STORED) and logical replication does not send it; the destination cannot compute it ' +
        'because it depends on an object that is not built in (a user-defined function, type or operator), so it is left out of the stream',
    ]);
  });

  it('cannot recreate one that reads a column the stream leaves out, or that is a key or cursor column', () => {
    const projected = ['id', 'total'].map(col);
    const plan = planGeneratedColumns('public.t', projected, [total], ['id'], true);
    expect(plan.columns.map((c) => c.name)).toEqual(['id']);
    expect(plan.warnings[0]).toContain('because it reads column "qty", which the stream does not read');
    expect(planGeneratedColumns('public.t', COLUMNS, [total], ['total'], false).columns.map((c) => c.name)).toContain(
      'total',
    );
  });

  it('changes nothing for a table without generated columns (or a projection without them)', () => {
    expect(planGeneratedColumns('public.t', COLUMNS, [], ['id'], true)).toEqual({
      columns: COLUMNS,
      metadata: [],
      warnings: [],
    });
    expect(planGeneratedColumns('public.t', ['id', 'qty'].map(col), [total], ['id'], true).metadata).toEqual([]);
  });

  it('reads the catalog rows', () => {
    expect(generatedColumnsFromRows([['total', 'numeric', '(qty * price)', 't', '["qty","price"]']])).toEqual([total]);
  });
});
