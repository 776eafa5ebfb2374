import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { batchFromRows, ConnectorHarness } from '@rapidbyte/sdk/testing';

const harness = await ConnectorHarness.load(fileURLToPath(new URL('..', import.meta.url)));

const rows = [
  { id: 1, email: 'a@x.io', status: 'active', age: 30 },
  { id: 2, email: null, status: 'active', age: 40 },
  { id: 3, email: 'not-an-email', status: 'gone', age: 200 },
  { id: 1, email: 'd@x.io', status: 'active', age: 20 },
];
const input = [
  batchFromRows(rows),
  { checkpoint: { rows: 4 } },
  batchFromRows([{ id: 1, email: 'e@x.io', status: 'active', age: 5 }]),
];
const ids = (run: Awaited<ReturnType<typeof harness.transform>>): bigint[] => run.rows().map((r) => r.id as bigint);

describe('transform-validate (built component, in-memory host)', () => {
  it.each([
    ['not_null', { column: 'email', not_null: true }, [1n, 3n, 1n, 1n]],
    ['regex', { column: 'email', regex: '^[^@]+@[^@]+$' }, [1n, 2n, 1n, 1n]],
    ['range', { column: 'age', range: { min: 0, max: 120 } }, [1n, 2n, 1n, 1n]],
    ['allowed_values', { column: 'status', allowed_values: ['active', 'paused'] }, [1n, 2n, 1n, 1n]],
    ['unique (across frames of the session)', { column: 'id', unique: true }, [1n, 2n, 3n]],
  ])('%s: skip drops the failing rows and counts them', async (_name, rule, kept) => {
    const run = await harness.transform({ config: { rules: [rule] }, input, context: { onDataError: 'skip' } });
    expect(ids(run)).toEqual(kept);
    expect(run.result).toMatchObject({ rows: 5, rejected: 5 - kept.length, policy: 'skip' });
    expect(run.output.map((o) => o.kind)).toEqual(['frame', 'checkpoint', 'frame']);
    expect(run.leakedFrames).toBe(0);
    // metric() per frame: rows checked and rows rejected (serve's /metrics sums them per stream)
    const sum = (name: string): number => run.metrics.filter((m) => m.name === name).reduce((n, m) => n + m.value, 0);
    expect(sum('rows_checked_total')).toBe(5);
    expect(sum('rows_rejected_total')).toBe(5 - kept.length);
  });

  it('dlq: every rejected row becomes a dead letter with its values and reason', async () => {
    const rules = [
      { column: 'email', not_null: true },
      { column: 'id', unique: true },
    ];
    const run = await harness.transform({ config: { rules }, input, context: { onDataError: 'dlq' } });
    expect(ids(run)).toEqual([1n, 3n]);
    expect(run.deadLetters).toEqual([
      {
        record: { id: 2, email: null, status: 'active', age: 40 },
        error: 'column email not_null: is null',
        category: 'validation',
      },
      {
        record: { id: 1, email: 'd@x.io', status: 'active', age: 20 },
        error: 'column id unique: duplicate value "1"',
        category: 'validation',
      },
      {
        record: { id: 1, email: 'e@x.io', status: 'active', age: 5 },
        error: 'column id unique: duplicate value "1"',
        category: 'validation',
      },
    ]);
  });

  it('fail: a permanent error naming stream, column, reason and the row', async () => {
    const run = await harness.transform({
      config: { rules: [{ column: 'age', range: { max: 120 } }] },
      input,
      context: { onDataError: 'fail' },
    });
    expect(run.outcome.ok).toBe(false);
    if (run.outcome.ok) return;
    expect(run.outcome.error).toMatchObject({
      kind: 'permanent',
      code: 'VALIDATION_FAILED',
      column: 'age',
      streamName: 'public.test',
    });
    expect(run.outcome.error.message).toContain('stream public.test: column age range: 200 is above the maximum 120');
    expect(run.outcome.error.message).toContain('"email":"not-an-email"');
    expect(run.leakedFrames).toBe(0);
  });

  it('a rule on a missing column fails with COLUMN_NOT_FOUND', async () => {
    const run = await harness.transform({ config: { rules: [{ column: 'nope', not_null: true }] }, input });
    expect(run.outcome).toMatchObject({ ok: false, error: { code: 'COLUMN_NOT_FOUND' } });
  });
});
