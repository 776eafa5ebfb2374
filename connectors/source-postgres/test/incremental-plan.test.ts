import type { PgColumn, ResumePoint, StreamContext } from '@rapidbyte/sdk';
import { describe, expect, it } from 'vitest';
import { incrementalCheckpoint, planIncremental, type IncrementalInput } from '../src/incremental-plan.js';
import { resolveReadKey } from '../src/read-key.js';
import { carryOidAliasesAsText } from '../src/oid-alias-columns.js';

function col(name: string, typeName: string, typeOid: number, nullable = true): PgColumn {
  return { name, typeName, typeOid, typeCategory: 'X', nullable, enumLabels: [] };
}

const columns = [
  col('id', 'bigint', 20, false),
  col('UpdatedAt', 'timestamp(3) with time zone', 1184),
  col('seq', 'numeric(20,0)', 1700),
  col('doc', 'jsonb', 3802),
];
const stream: StreamContext = {
  name: 'public.T',
  syncMode: 'incremental',
  cursorField: 'UpdatedAt',
  writeMode: 'append',
  destinationTable: 'T',
};

function input(
  over: Partial<StreamContext> = {},
  resume?: ResumePoint | null,
  catalogKey: readonly string[] = ['id'],
): IncrementalInput {
  const s = { ...stream, ...over };
  return {
    relation: { schema: 'public', table: 'T' },
    stream: s,
    columns,
    key: resolveReadKey(columns, catalogKey, s.primaryKey),
    resume,
  };
}

function problem(i: IncrementalInput) {
  const r = planIncremental(i);
  return r.ok ? undefined : r.problem;
}

function plan(i: IncrementalInput) {
  const r = planIncremental(i);
  if (!r.ok) throw new Error(r.problem.message);
  return r.plan;
}

describe('planIncremental: configuration problems', () => {
  it('names a missing cursor column', () => {
    expect(problem(input({ cursorField: 'updatedat' }))).toMatchObject({
      code: 'COLUMN_NOT_FOUND',
      column: 'updatedat',
    });
    expect(problem(input({ cursorField: undefined }))?.code).toBe('CURSOR_FIELD_REQUIRED');
  });

  it('an OID-alias column (carried as text) is not a cursor', () => {
    const carried = carryOidAliasesAsText([...columns, col('rel', 'regclass', 2205)]);
    const p = problem({ ...input({ cursorField: 'rel' }), columns: carried });
    expect(p).toMatchObject({ code: 'CURSOR_TYPE_UNSUPPORTED', column: 'rel' });
    expect(p?.message).toMatch(/has type regclass/);
  });

  it('a table of zero columns has no cursor: says so and points to full_refresh', () => {
    const zero = { ...input({ cursorField: 'id' }), columns: [] };
    const p = problem(zero);
    expect(p).toMatchObject({ code: 'COLUMN_NOT_FOUND', column: 'id' });
    expect(p?.message).toMatch(/no columns.*full_refresh/);
  });

  it('names the column and its type for an unsupported cursor type', () => {
    const p = problem(input({ cursorField: 'doc' }));
    expect(p?.code).toBe('CURSOR_TYPE_UNSUPPORTED');
    expect(p?.message).toContain('"doc" has type jsonb');
  });

  it('allows lookback only with upsert and a time cursor', () => {
    expect(problem(input({ lookback: '5 minutes' }))?.code).toBe('LOOKBACK_NEEDS_UPSERT');
    expect(problem(input({ lookback: '5 minutes', writeMode: 'upsert', cursorField: 'seq' }))?.code).toBe(
      'LOOKBACK_UNSUPPORTED',
    );
    expect(problem(input({ lookback: '5 minutes', writeMode: 'upsert' }))).toBeUndefined();
    expect(problem(input({ lookback: '  ' }))).toBeUndefined();
  });
});

describe('planIncremental: where to start', () => {
  it('reads everything without a resume point, casting with a typmod-free type', () => {
    const p = plan(input());
    expect(p.low).toEqual({ kind: 'all' });
    expect(p.read.cursor).toEqual({ name: 'UpdatedAt', type: 'timestamp with time zone' });
    expect(p.cursorType).toBe('timestamp(3) with time zone');
    expect(p.trackBoundary).toBe(true);
    expect(p.emptyCheckpoint).toEqual({
      mode: 'incremental',
      cursorField: 'UpdatedAt',
      cursorType: 'timestamp(3) with time zone',
      primaryKey: ['id'],
      rows: 0,
    });
  });

  it('ignores a full_refresh resume point', () => {
    expect(plan(input({}, { mode: 'full_refresh', pkAfter: ['3'] })).low).toEqual({ kind: 'all' });
  });

  const resume: ResumePoint = {
    mode: 'incremental',
    cursorField: 'UpdatedAt',
    cursorType: 'timestamp(3) with time zone',
    cursorValue: '2024-05-01 10:00:00.123+00',
    primaryKey: ['id'],
    boundaryKeys: [['7'], ['9']],
    rows: 40,
  };

  it('append resumes with >= and excludes the boundary keys', () => {
    const p = plan(input({}, resume));
    expect(p.low).toEqual({
      kind: 'from',
      value: resume.cursorValue,
      exclude: { value: resume.cursorValue, keys: [['7'], ['9']] },
    });
    expect(p.emptyCheckpoint).toEqual({ ...resume, rows: 0 });
  });

  it('upsert resumes with >= minus the lookback and no exclusion', () => {
    const p = plan(input({ writeMode: 'upsert', lookback: '5 minutes' }, resume));
    expect(p.low).toEqual({ kind: 'from', value: resume.cursorValue, lookback: '5 minutes' });
    expect(p.trackBoundary).toBe(false);
  });

  it('append without a usable key continues strictly after the value, with a warning', () => {
    const p = plan(input({}, resume, []));
    expect(p.low).toEqual({ kind: 'after', value: resume.cursorValue });
    expect(p.trackBoundary).toBe(false);
    expect(p.warnings.join()).toContain('no NOT NULL primary key');
    const otherKey = plan(input({}, { ...resume, primaryKey: ['other'] }));
    expect(otherKey.low.kind).toBe('after');
    const nullableKey = plan(input({ primaryKey: ['seq'] }, resume));
    expect(nullableKey.low.kind).toBe('after');
  });

  it('a changed cursor field fails for append and restarts for upsert', () => {
    const moved = { ...resume, cursorField: 'seq' };
    expect(problem(input({}, moved))?.code).toBe('CURSOR_FIELD_CHANGED');
    const p = plan(input({ writeMode: 'upsert' }, moved));
    expect(p.low).toEqual({ kind: 'all' });
    expect(p.warnings.join()).toContain('reading from the start');
  });

  it('a sentinel stored as the cursor (infinity, NaN) fails for append naming the fix and restarts for upsert', () => {
    const stored: ResumePoint = {
      mode: 'incremental',
      cursorField: 'UpdatedAt',
      cursorValue: 'infinity',
      primaryKey: ['id'],
      boundaryKeys: [['1']],
      rows: 0,
    };
    const refused = problem(input({}, stored));
    expect(refused?.code).toBe('CURSOR_SENTINEL_STORED');
    expect(refused?.message).toContain('the stored cursor UpdatedAt = infinity is a value no later row can exceed');
    expect(refused?.message).toContain('rapidbyte state reset <pipeline.yaml> --stream public.T');
    const upsert = plan(input({ writeMode: 'upsert' }, stored));
    expect(upsert.low).toEqual({ kind: 'all' });
    expect(upsert.emptyCheckpoint.cursorValue).toBeUndefined();
    expect(upsert.warnings.join('\n')).toContain('reading from the start');
    const nan = plan(
      input(
        { writeMode: 'upsert', cursorField: 'seq' },
        { mode: 'incremental', cursorField: 'seq', cursorValue: 'NaN', rows: 0 },
      ),
    );
    expect(nan.low).toEqual({ kind: 'all' });
    // -infinity sorts first: a plain resume point
    expect(plan(input({ writeMode: 'upsert' }, { ...stored, cursorValue: '-infinity' })).low).toMatchObject({
      kind: 'from',
      value: '-infinity',
    });
  });

  it('append carries the keys of sentinel rows delivered before through every checkpoint; upsert and other keys drop them', () => {
    const before: ResumePoint = {
      mode: 'incremental',
      cursorField: 'UpdatedAt',
      cursorValue: '2024-01-01 00:00:00+00',
      primaryKey: ['id'],
      boundaryKeys: [['1']],
      sentinelKeys: [['7'], ['8']],
      rows: 0,
    };
    const p = plan(input({}, before));
    expect(p.sentinelKeys).toEqual([['7'], ['8']]);
    expect(incrementalCheckpoint(p, '2024-01-02 00:00:00+00', [['3']], 5).sentinelKeys).toEqual([['7'], ['8']]);
    expect(plan(input({}, { ...before, cursorValue: undefined })).sentinelKeys).toEqual([['7'], ['8']]);
    expect(plan(input({ writeMode: 'upsert' }, before)).sentinelKeys).toEqual([]);
    expect(plan(input({}, { ...before, primaryKey: ['seq'] })).sentinelKeys).toEqual([]);
    expect(
      incrementalCheckpoint(plan(input({ writeMode: 'upsert' }, before)), 'x', undefined, 1).sentinelKeys,
    ).toBeUndefined();
  });

  it('uses the stream primary_key, falling back to the catalog key when it names other columns', () => {
    expect(plan(input({ primaryKey: ['seq', 'id'] })).read.key).toEqual([
      { name: 'seq', type: 'numeric(20,0)' },
      { name: 'id', type: 'bigint' },
    ]);
    const p = plan(input({ primaryKey: ['renamed_id'] }));
    expect(p.read.key).toEqual([{ name: 'id', type: 'bigint' }]);
    expect(p.warnings.join()).toContain('"renamed_id"');
  });
});

describe('incrementalCheckpoint', () => {
  it('carries the cursor as text, the key and (append) the boundary keys', () => {
    const p = plan(input());
    expect(incrementalCheckpoint(p, '2024-05-01 10:00:00+00', [['1']], 12)).toEqual({
      mode: 'incremental',
      cursorField: 'UpdatedAt',
      cursorType: 'timestamp(3) with time zone',
      cursorValue: '2024-05-01 10:00:00+00',
      primaryKey: ['id'],
      boundaryKeys: [['1']],
      rows: 12,
    });
    expect(incrementalCheckpoint(p, '1', undefined, 1)).not.toHaveProperty('boundaryKeys');
  });
});
