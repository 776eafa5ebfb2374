import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { batchFromRows, ConnectorHarness } from '@rapidbyte/sdk/testing';

const harness = await ConnectorHarness.load(fileURLToPath(new URL('..', import.meta.url)));

const input = [
  batchFromRows([
    { id: 1, email: 'a@x.io', amount: '12.5', score: 3, ssn: '123-45-6789' },
    { id: 2, email: null, amount: '7', score: null, ssn: null },
  ]),
  { checkpoint: { rows: 2 } },
];
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('transform-map (built component, in-memory host)', () => {
  it('renames', async () => {
    const run = await harness.transform({ config: { rename: { email: 'contact' } }, input });
    expect(Object.keys(run.rows()[0] ?? {})).toEqual(['id', 'contact', 'amount', 'score', 'ssn']);
    expect(run.output.map((o) => o.kind)).toEqual(['frame', 'checkpoint']);
    expect(run.leakedFrames).toBe(0);
  });

  it('drops', async () => {
    const run = await harness.transform({ config: { drop: ['ssn', 'score'] }, input });
    expect(run.rows()).toEqual([
      { id: 1n, email: 'a@x.io', amount: '12.5' },
      { id: 2n, email: null, amount: '7' },
    ]);
  });

  it('casts text to decimal and int to text, recording the Postgres type', async () => {
    const run = await harness.transform({ config: { cast: { amount: 'decimal(10,2)', score: 'utf8' } }, input });
    const batch = run.frames[0];
    expect(String(batch?.schema.fields[2]?.type)).toBe('Decimal[10e+2]');
    expect(batch?.schema.fields[2]?.metadata.get('rapidbyte.pg_type')).toBe('numeric(10,2)');
    expect(batch?.getChild('score')?.toArray()).toEqual(['3', null]);
    expect(String(batch?.getChild('amount')?.get(0))).toBe('1250');
  });

  it('a value that does not cast names column, row and value', async () => {
    const run = await harness.transform({ config: { cast: { email: 'int64' } }, input });
    expect(run.outcome).toMatchObject({ ok: false, error: { code: 'CAST_FAILED', column: 'email' } });
    if (!run.outcome.ok) expect(run.outcome.error.message).toContain('column "email" row 0 value "a@x.io"');
    expect(run.leakedFrames).toBe(0);
  });

  it('hashes with a salt (NULL stays NULL)', async () => {
    const run = await harness.transform({ config: { hash: ['email'], salt: 's1' }, input });
    expect(run.rows().map((r) => r.email)).toEqual([sha('s1a@x.io'), null]);
  });

  it('masks with a string or with NULL', async () => {
    const run = await harness.transform({ config: { mask: { ssn: '***', email: null } }, input });
    expect(run.rows().map((r) => [r.ssn, r.email])).toEqual([
      ['***', null],
      [null, null],
    ]);
  });
});
