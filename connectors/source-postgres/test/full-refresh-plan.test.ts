import type { PgColumn } from '@rapidbyte/sdk';
import { describe, expect, it } from 'vitest';
import { planFullRefresh } from '../src/full-refresh-plan.js';
import { resolveReadKey } from '../src/read-key.js';
import { sessionSettingsSql } from '../src/session-settings.js';

function col(name: string, typeName: string, nullable: boolean): PgColumn {
  return { name, typeName, typeOid: 0, typeCategory: 'X', nullable, enumLabels: [] };
}
const columns = [col('Region', 'text', false), col('n', 'integer', false), col('note', 'text', true)];
const key = resolveReadKey(columns, ['Region', 'n'], undefined);

describe('planFullRefresh', () => {
  it('reads replace, keyless and nullable-key tables in one pass', () => {
    expect(planFullRefresh('replace', key, null).chunked).toBe(false);
    expect(planFullRefresh('append', resolveReadKey(columns, [], undefined), null).chunked).toBe(false);
    const nullable = planFullRefresh('upsert', resolveReadKey(columns, ['Region', 'n'], ['note']), null);
    expect(nullable.chunked).toBe(false);
    expect(nullable.warnings.join()).toContain('nullable');
  });

  it('chunks append/upsert by the composite key, from the start', () => {
    const p = planFullRefresh('append', key, null);
    expect(p).toMatchObject({ chunked: true, rowsBefore: 0 });
    expect(p.after).toBeUndefined();
    expect(p.key).toEqual([
      { name: 'Region', type: 'text' },
      { name: 'n', type: 'integer' },
    ]);
  });

  it('resumes an unfinished pass after pkAfter, and starts over after a complete one', () => {
    const unfinished = { mode: 'full_refresh', pkAfter: ['EU', '10'], primaryKey: ['Region', 'n'], rows: 500 } as const;
    expect(planFullRefresh('upsert', key, unfinished)).toMatchObject({ after: ['EU', '10'], rowsBefore: 500 });
    expect(planFullRefresh('upsert', key, { ...unfinished, complete: true }).after).toBeUndefined();
    expect(planFullRefresh('upsert', key, { mode: 'incremental', cursorValue: '1' }).after).toBeUndefined();
  });

  it('starts over when the resume point was keyed differently', () => {
    const p = planFullRefresh('append', key, { mode: 'full_refresh', pkAfter: ['10'], primaryKey: ['n'] });
    expect(p.after).toBeUndefined();
    expect(p.warnings.join()).toContain('starting over');
  });
});

describe('sessionSettingsSql', () => {
  it('sets UTC, ISO dates, postgres intervals, exact floats and row_security off in one statement', () => {
    expect(sessionSettingsSql(false)).toBe(
      "SELECT set_config('TimeZone', 'UTC', false), set_config('DateStyle', 'ISO', false), " +
        "set_config('IntervalStyle', 'postgres', false), set_config('extra_float_digits', '3', false), " +
        "set_config('row_security', 'off', false)",
    );
  });
  it('leaves row security on when filtered reads are wanted (row_security: true)', () => {
    expect(sessionSettingsSql(true)).toMatch(/set_config\('row_security', 'on', false\)$/);
  });
});
