import { describe, expect, it } from 'vitest';
import {
  CDC_STAGE,
  cdcStageDdl,
  defaultStageChangeColumns,
  freeColumnName,
  stageSummary,
  stageSummarySql,
  TRUNCATE_CDC_STAGE_SQL,
} from '../src/cdc-stage-sql.js';

const ops = { op: '_rb_op', unchanged: '_rb_unchanged' };

describe('CDC stage', () => {
  it('is one temp table per session, emptied at commit, typed like the target without its constraints', () => {
    expect(CDC_STAGE).toBe('"pg_temp"."_rb_cdc_stage"');
    expect(cdcStageDdl('My Schema', 'Order', ['User', 'select'], ops)).toBe(
      'CREATE TEMP TABLE "pg_temp"."_rb_cdc_stage" ON COMMIT DELETE ROWS AS SELECT "User", "select", ' +
        'NULL::text AS "_rb_op", NULL::text AS "_rb_unchanged" FROM "My Schema"."Order" WITH NO DATA',
    );
    expect(TRUNCATE_CDC_STAGE_SQL).toBe('TRUNCATE "pg_temp"."_rb_cdc_stage"');
  });

  it('summarises a staged frame by operation', () => {
    const sql = stageSummarySql(ops);
    expect(sql).toContain(`count(*) FILTER (WHERE "_rb_op" = 'T')`);
    expect(sql).toContain(`count(*) FILTER (WHERE "_rb_op" IS NULL OR "_rb_op" NOT IN ('I', 'U', 'D', 'T'))`);
    expect(sql.endsWith('FROM "pg_temp"."_rb_cdc_stage"')).toBe(true);
    expect(stageSummary(['0', '2', '3', '1', '0'])).toEqual({
      truncates: 0,
      deletes: 2,
      upserts: 3,
      unchanged: 1,
      invalid: 0,
    });
    expect(stageSummary(undefined)).toEqual({ truncates: 0, deletes: 0, upserts: 0, unchanged: 0, invalid: 0 });
  });

  it('names its change columns apart from source columns of the same names (the rule the engine names change frames by)', () => {
    expect(freeColumnName('_rb_op', ['id', 'x'])).toBe('_rb_op');
    expect(freeColumnName('_rb_op', ['_rb_op', '_rb_op_1'])).toBe('_rb_op_2');
    expect(defaultStageChangeColumns(['id', '_rb_op', '_rb_unchanged'])).toEqual({
      op: '_rb_op_1',
      unchanged: '_rb_unchanged_1',
    });
    const renamed = { op: '_rb_op_1', unchanged: '_rb_unchanged' };
    expect(cdcStageDdl('s', 't', ['id', '_rb_op'], renamed)).toBe(
      'CREATE TEMP TABLE "pg_temp"."_rb_cdc_stage" ON COMMIT DELETE ROWS AS SELECT "id", "_rb_op", NULL::text AS "_rb_op_1", NULL::text AS "_rb_unchanged" FROM "s"."t" WITH NO DATA',
    );
    expect(stageSummarySql(renamed)).toContain(`count(*) FILTER (WHERE "_rb_op_1" = 'D')`);
  });
});
