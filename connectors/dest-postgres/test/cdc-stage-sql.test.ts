import { describe, expect, it } from 'vitest';
import { CDC_STAGE, cdcStageDdl, STAGE_SUMMARY_SQL, stageSummary, TRUNCATE_CDC_STAGE_SQL } from '../src/cdc-stage-sql.js';

describe('CDC stage', () => {
  it('is one temp table per session, emptied at commit, typed like the target without its constraints', () => {
    expect(CDC_STAGE).toBe('"pg_temp"."_rb_cdc_stage"');
    expect(cdcStageDdl('My Schema', 'Order', ['User', 'select'])).toBe(
      'CREATE TEMP TABLE "pg_temp"."_rb_cdc_stage" ON COMMIT DELETE ROWS AS SELECT "User", "select", ' +
        'NULL::text AS "_rb_op", NULL::text AS "_rb_unchanged" FROM "My Schema"."Order" WITH NO DATA',
    );
    expect(TRUNCATE_CDC_STAGE_SQL).toBe('TRUNCATE "pg_temp"."_rb_cdc_stage"');
  });

  it('summarises a staged frame by operation', () => {
    expect(STAGE_SUMMARY_SQL).toContain(`count(*) FILTER (WHERE "_rb_op" = 'T')`);
    expect(STAGE_SUMMARY_SQL).toContain(`count(*) FILTER (WHERE "_rb_op" IS NULL OR "_rb_op" NOT IN ('I', 'U', 'D', 'T'))`);
    expect(STAGE_SUMMARY_SQL.endsWith('FROM "pg_temp"."_rb_cdc_stage"')).toBe(true);
    expect(stageSummary(['0', '2', '3', '1', '0'])).toEqual({ truncates: 0, deletes: 2, upserts: 3, unchanged: 1, invalid: 0 });
    expect(stageSummary(undefined)).toEqual({ truncates: 0, deletes: 0, upserts: 0, unchanged: 0, invalid: 0 });
  });
});
