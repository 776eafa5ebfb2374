import { describe, expect, it } from 'vitest';
import {
  applyDeletesSql,
  applyUpsertsSql,
  keyMatch,
  truncateTargetSql,
  unchangedFillSql,
  unchangedMissingSql,
} from '../src/cdc-apply-sql.js';

const plain = { softDelete: false, syncedAt: false };
const soft = { softDelete: true, syncedAt: false };
const synced = { softDelete: false, syncedAt: true };
const both = { softDelete: true, syncedAt: true };
/** The stage's change columns of a stream without columns named like them. */
const ops = { op: '_rb_op', unchanged: '_rb_unchanged' };

describe('keyMatch', () => {
  it('matches every key column, quoted (multi-column, mixed case, reserved words)', () => {
    expect(keyMatch(['User', 'select'])).toBe('t."User" = s."User" AND t."select" = s."select"');
    expect(keyMatch(['a"b'])).toBe('t."a""b" = s."a""b"');
  });
});

describe('unchanged TOAST', () => {
  it('finds staged rows whose key the target lacks, with their key values as text', () => {
    expect(unchangedMissingSql('My Schema', 'Order', ['User', 'select'], ops)).toBe(
      'SELECT s."_rb_unchanged", s."User"::text, s."select"::text FROM "pg_temp"."_rb_cdc_stage" AS s\n' +
        `WHERE s."_rb_unchanged" IS NOT NULL AND s."_rb_op" IN ('I', 'U')\n` +
        '  AND NOT EXISTS (SELECT 1 FROM "My Schema"."Order" AS t WHERE t."User" = s."User" AND t."select" = s."select")\n' +
        'LIMIT 5',
    );
  });

  it('fills only the listed non-key columns from the stored row', () => {
    expect(unchangedFillSql('My Schema', 'Order', ['User', 'select', 'Val'], ['User'], ops)).toBe(
      'UPDATE "pg_temp"."_rb_cdc_stage" AS s SET ' +
        `"select" = CASE WHEN s."_rb_unchanged"::jsonb ? 'select' THEN t."select" ELSE s."select" END, ` +
        `"Val" = CASE WHEN s."_rb_unchanged"::jsonb ? 'Val' THEN t."Val" ELSE s."Val" END\n` +
        'FROM "My Schema"."Order" AS t\n' +
        `WHERE s."_rb_unchanged" IS NOT NULL AND s."_rb_op" IN ('I', 'U') AND t."User" = s."User"`,
    );
  });

  it('quotes column names inside the jsonb test as literals', () => {
    expect(unchangedFillSql('s', 't', ["it's", 'k'], ['k'], ops)).toContain(`? 'it''s' THEN t."it's"`);
  });

  it('has nothing to fill when every column is a key column', () => {
    expect(unchangedFillSql('s', 't', ['a', 'b'], ['b', 'a'], ops)).toBeUndefined();
  });
});

describe('applyDeletesSql', () => {
  it('deletes the staged D keys', () => {
    expect(applyDeletesSql('s', 'Order', ['a', 'b'], ops, plain)).toBe(
      `DELETE FROM "s"."Order" AS t USING "pg_temp"."_rb_cdc_stage" AS s WHERE s."_rb_op" = 'D' AND t."a" = s."a" AND t."b" = s."b"`,
    );
    expect(applyDeletesSql('s', 'Order', ['a'], ops, synced)).toMatch(/^DELETE FROM/);
  });

  it('soft delete marks live rows (and stamps _rb_synced_at when asked)', () => {
    expect(applyDeletesSql('s', 't', ['id'], ops, soft)).toBe(
      'UPDATE "s"."t" AS t SET "_rb_deleted_at" = now()\n' +
        `FROM "pg_temp"."_rb_cdc_stage" AS s WHERE s."_rb_op" = 'D' AND t."id" = s."id" AND t."_rb_deleted_at" IS NULL`,
    );
    expect(applyDeletesSql('s', 't', ['id'], ops, both)).toContain(
      'SET "_rb_deleted_at" = now(), "_rb_synced_at" = now()\n',
    );
  });
});

describe('applyUpsertsSql', () => {
  it('inserts I and U rows and updates the non-key columns on conflict', () => {
    expect(applyUpsertsSql('My Schema', 'Order', ['v', 'b', 'a'], ['a', 'b'], ops, plain)).toBe(
      'INSERT INTO "My Schema"."Order" AS t ("v", "b", "a")\n' +
        `SELECT s."v", s."b", s."a" FROM "pg_temp"."_rb_cdc_stage" AS s WHERE s."_rb_op" IN ('I', 'U')\n` +
        'ON CONFLICT ("a", "b") DO UPDATE SET "v" = EXCLUDED."v"',
    );
  });

  it('overrides identity GENERATED ALWAYS columns and never updates them', () => {
    expect(applyUpsertsSql('s', 't', ['id', 'n', 'v'], ['v'], ops, plain, ['id'])).toBe(
      'INSERT INTO "s"."t" AS t ("id", "n", "v") OVERRIDING SYSTEM VALUE\n' +
        `SELECT s."id", s."n", s."v" FROM "pg_temp"."_rb_cdc_stage" AS s WHERE s."_rb_op" IN ('I', 'U')\n` +
        'ON CONFLICT ("v") DO UPDATE SET "n" = EXCLUDED."n"',
    );
  });

  it('does nothing on conflict when every column is a key column and no bookkeeping is set', () => {
    expect(applyUpsertsSql('s', 't', ['a'], ['a'], ops, plain).endsWith('ON CONFLICT ("a") DO NOTHING')).toBe(true);
    expect(
      applyUpsertsSql('s', 't', ['a'], ['a'], ops, soft).endsWith(
        'ON CONFLICT ("a") DO UPDATE SET "_rb_deleted_at" = NULL',
      ),
    ).toBe(true);
  });

  it('revives soft-deleted rows and stamps _rb_synced_at', () => {
    expect(applyUpsertsSql('s', 't', ['id', 'select'], ['id'], ops, both)).toBe(
      'INSERT INTO "s"."t" AS t ("id", "select", "_rb_synced_at")\n' +
        `SELECT s."id", s."select", now() FROM "pg_temp"."_rb_cdc_stage" AS s WHERE s."_rb_op" IN ('I', 'U')\n` +
        'ON CONFLICT ("id") DO UPDATE SET "select" = EXCLUDED."select", "_rb_synced_at" = EXCLUDED."_rb_synced_at", "_rb_deleted_at" = NULL',
    );
  });
});

describe('a source column named _rb_op', () => {
  it('is staged and applied as data; the operation is read from the stage column named for it', () => {
    const renamed = { op: '_rb_op_1', unchanged: '_rb_unchanged' };
    const upsert = applyUpsertsSql('s', 't', ['id', '_rb_op'], ['id'], renamed, plain);
    expect(upsert).toBe(
      'INSERT INTO "s"."t" AS t ("id", "_rb_op")\n' +
        `SELECT s."id", s."_rb_op" FROM "pg_temp"."_rb_cdc_stage" AS s WHERE s."_rb_op_1" IN ('I', 'U')\n` +
        'ON CONFLICT ("id") DO UPDATE SET "_rb_op" = EXCLUDED."_rb_op"',
    );
    expect(applyDeletesSql('s', 't', ['id'], renamed, plain)).toContain(`WHERE s."_rb_op_1" = 'D'`);
    expect(unchangedFillSql('s', 't', ['id', '_rb_op'], ['id'], renamed)).toContain(
      `WHERE s."_rb_unchanged" IS NOT NULL AND s."_rb_op_1" IN ('I', 'U')`,
    );
    expect(unchangedMissingSql('s', 't', ['id'], { op: '_rb_op', unchanged: '_rb_unchanged_1' })).toContain(
      'SELECT s."_rb_unchanged_1", s."id"::text',
    );
  });
});

describe('truncateTargetSql', () => {
  it('truncates, or soft-deletes every live row', () => {
    expect(truncateTargetSql('s', 'Order', plain)).toBe('TRUNCATE "s"."Order"');
    expect(truncateTargetSql('s', 'Order', soft)).toBe(
      'UPDATE "s"."Order" SET "_rb_deleted_at" = now() WHERE "_rb_deleted_at" IS NULL',
    );
    expect(truncateTargetSql('s', 'Order', both)).toBe(
      'UPDATE "s"."Order" SET "_rb_deleted_at" = now(), "_rb_synced_at" = now() WHERE "_rb_deleted_at" IS NULL',
    );
  });

  it('always truncates for a re-snapshot (hard)', () => {
    expect(truncateTargetSql('s', 'Order', both, { hard: true })).toBe('TRUNCATE "s"."Order"');
  });
});
