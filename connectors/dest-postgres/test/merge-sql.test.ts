import { describe, expect, it } from 'vitest';
import { mergeStatement, qualifiedStage, stageTableDdl, stageTableName } from '../src/merge-sql.js';

describe('stage table', () => {
  it('is a numbered temp table dropped on commit, like the target plus _rb_seq', () => {
    expect(stageTableName(3)).toBe('_rb_stage_3');
    expect(qualifiedStage('_rb_stage_3')).toBe('"pg_temp"."_rb_stage_3"');
    expect(stageTableDdl('Raw', 'Order', '_rb_stage_1')).toBe(
      'CREATE TEMP TABLE "pg_temp"."_rb_stage_1" (LIKE "Raw"."Order" INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED, ' +
        '"_rb_seq" bigserial) ON COMMIT DROP',
    );
  });
});

describe('mergeStatement', () => {
  it('keeps the last staged row per key and updates the non-key columns (mixed case, reserved words)', () => {
    expect(mergeStatement('My Schema', 'Order', '_rb_stage_1', ['User', 'select', 'Val'], ['User'])).toBe(
      'INSERT INTO "My Schema"."Order" ("User", "select", "Val")\n' +
        'SELECT DISTINCT ON ("User") "User", "select", "Val" FROM "pg_temp"."_rb_stage_1"\n' +
        'ORDER BY "User", "_rb_seq" DESC\n' +
        'ON CONFLICT ("User") DO UPDATE SET "select" = EXCLUDED."select", "Val" = EXCLUDED."Val"',
    );
  });

  it('handles composite keys in key order, wherever they sit among the columns', () => {
    const sql = mergeStatement('s', 't', '_rb_stage_2', ['v', 'b', 'a'], ['a', 'b']);
    expect(sql).toContain('SELECT DISTINCT ON ("a", "b") "v", "b", "a" FROM');
    expect(sql).toContain('ORDER BY "a", "b", "_rb_seq" DESC');
    expect(sql).toContain('ON CONFLICT ("a", "b") DO UPDATE SET "v" = EXCLUDED."v"');
  });

  it('does nothing on conflict when every column is a key column', () => {
    const sql = mergeStatement('s', 'tags', '_rb_stage_1', ['post', 'tag'], ['tag', 'post']);
    expect(sql.endsWith('ON CONFLICT ("tag", "post") DO NOTHING')).toBe(true);
    expect(sql).not.toContain('DO UPDATE');
  });

  it('overrides an identity GENERATED ALWAYS column it writes and never updates it', () => {
    expect(mergeStatement('s', 't', '_rb_stage_1', ['id', 'code', 'v'], ['id'], ['id'])).toBe(
      'INSERT INTO "s"."t" ("id", "code", "v") OVERRIDING SYSTEM VALUE\n' +
        'SELECT DISTINCT ON ("id") "id", "code", "v" FROM "pg_temp"."_rb_stage_1"\n' +
        'ORDER BY "id", "_rb_seq" DESC\n' +
        'ON CONFLICT ("id") DO UPDATE SET "code" = EXCLUDED."code", "v" = EXCLUDED."v"',
    );
    const nonKey = mergeStatement('s', 't', 'st', ['code', 'serial', 'v'], ['code'], ['serial']);
    expect(nonKey).toContain('OVERRIDING SYSTEM VALUE');
    expect(nonKey).toContain('DO UPDATE SET "v" = EXCLUDED."v"');
    expect(nonKey).not.toContain('"serial" = EXCLUDED');
    expect(mergeStatement('s', 't', 'st', ['k', 'v'], ['k'], ['other'])).not.toContain('OVERRIDING');
  });

  it('quotes embedded double quotes', () => {
    expect(mergeStatement('s', 't', 'st', ['a"b', 'k'], ['k'])).toContain('DO UPDATE SET "a""b" = EXCLUDED."a""b"');
  });
});
