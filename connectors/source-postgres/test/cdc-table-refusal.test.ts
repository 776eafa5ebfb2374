import { describe, expect, it } from 'vitest';
import { cdcTableRefusal, publishedMemberProblem, type PublishedRelation } from '../src/cdc-table-refusal.js';
import { copyOutStatement } from '../src/copy-out-statement.js';
import { inheritanceNote, readRelationSql, streamRelationSql } from '../src/stream-relation-sql.js';

const table = (o: Partial<PublishedRelation> = {}): PublishedRelation => ({
  schema: 'public',
  name: 't',
  relkind: 'r',
  persistence: 'p',
  replicaIdentity: 'd',
  primaryKey: 'ok',
  identityIndex: 'none',
  ...o,
});

describe('cdcTableRefusal', () => {
  it('accepts a table with a primary key, with REPLICA IDENTITY FULL, or with a usable identity index', () => {
    expect(cdcTableRefusal('public.t', [table()])).toBeUndefined();
    expect(cdcTableRefusal('public.t', [table({ replicaIdentity: 'f', primaryKey: 'none' })])).toBeUndefined();
    expect(
      cdcTableRefusal('public.t', [table({ replicaIdentity: 'i', primaryKey: 'none', identityIndex: 'ok' })]),
    ).toBeUndefined();
    expect(cdcTableRefusal('public.t', [])).toBeUndefined();
  });

  it('refuses a DEFERRABLE primary key, naming both fixes', () => {
    const refusal = cdcTableRefusal('public.t', [table({ primaryKey: 'deferrable' })]);
    expect(refusal?.code).toBe('NO_REPLICA_IDENTITY');
    expect(refusal?.message).toContain('public.t: table "public"."t" has only a DEFERRABLE primary key');
    expect(refusal?.message).toContain('ALTER TABLE "public"."t" REPLICA IDENTITY FULL;');
    expect(refusal?.message).toContain('NOT DEFERRABLE');
  });

  it('refuses no key, REPLICA IDENTITY NOTHING, and an identity index that is gone, deferrable or invalid', () => {
    for (const o of [
      { primaryKey: 'none' as const },
      { primaryKey: 'invalid' as const },
      { replicaIdentity: 'n' },
      { replicaIdentity: 'i', identityIndex: 'none' as const },
      { replicaIdentity: 'i', identityIndex: 'deferrable' as const },
      { replicaIdentity: 'i', identityIndex: 'invalid' as const },
    ]) {
      const refusal = cdcTableRefusal('public.t', [table(o)]);
      expect(refusal?.code, JSON.stringify(o)).toBe('NO_REPLICA_IDENTITY');
      expect(refusal?.message).toContain('REPLICA IDENTITY FULL');
    }
  });

  it('checks every partition of a partitioned table and names the one that would break', () => {
    const refusal = cdcTableRefusal('public.m', [
      table({ name: 'm', relkind: 'p' }),
      table({ name: 'm_eu' }),
      table({ name: 'm_us', primaryKey: 'none', replicaIdentity: 'd' }),
    ]);
    expect(refusal?.message).toContain('partition "public"."m_us" of "public"."m" has no primary key');
    expect(refusal?.message).toContain('ALTER TABLE "public"."m_us" REPLICA IDENTITY FULL;');
  });

  it('refuses a view (suggesting full_refresh or incremental, not REPLICA IDENTITY) and an unlogged table (suggesting SET LOGGED)', () => {
    const view = cdcTableRefusal('public.v', [
      table({ name: 'v', relkind: 'v', replicaIdentity: 'n', primaryKey: 'none' }),
    ]);
    expect(view?.code).toBe('CDC_NOT_A_TABLE');
    expect(view?.message).toContain('"public"."v" is a view');
    expect(view?.message).toContain('full_refresh or incremental');
    expect(view?.message).not.toContain('REPLICA IDENTITY');
    const unlogged = cdcTableRefusal('public.u', [table({ name: 'u', persistence: 'u' })]);
    expect(unlogged?.code).toBe('CDC_UNLOGGED_TABLE');
    expect(unlogged?.message).toContain('ALTER TABLE "public"."u" SET LOGGED;');
    expect(unlogged?.message).toContain('full_refresh or incremental');
  });
});

describe('streamRelationSql', () => {
  it('reads and publishes a plain table ONLY (an inheritance parent without its children), a partitioned table or a view whole', () => {
    expect(streamRelationSql('public', 'animals', 'r')).toBe('ONLY "public"."animals"');
    expect(streamRelationSql('public', 'm', 'p')).toBe('"public"."m"');
    expect(streamRelationSql('public', 'v', 'v')).toBe('"public"."v"');
  });
});

describe('reads of an inheritance parent', () => {
  it('full refresh and incremental COPY a looked-up plain table ONLY, like the CDC snapshot', () => {
    expect(copyOutStatement({ schema: 'public', table: 'animals', relkind: 'r' }, [{ name: 'id' }])).toBe(
      'COPY (SELECT "id" FROM ONLY "public"."animals") TO STDOUT (FORMAT binary)',
    );
    expect(readRelationSql({ schema: 'public', table: 'm', relkind: 'p' })).toBe('"public"."m"');
  });

  it("says what a parent's stream leaves out", () => {
    expect(inheritanceNote('public.animals', [])).toBeUndefined();
    expect(inheritanceNote('public.animals', ['dogs', 'cats'])).toBe(
      "public.animals: reads the inheritance parent's own rows only (ONLY); the rows of its child tables (dogs, cats) are streams of their own",
    );
    expect(inheritanceNote('public.a', ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'])).toContain(
      '(c1, c2, c3, c4, c5 and 2 more)',
    );
  });
});

describe('publishedMemberProblem', () => {
  it('names a listed table whose writes fail now, with both fixes; a usable one is fine', () => {
    expect(publishedMemberProblem('pub', [table()])).toBeUndefined();
    expect(publishedMemberProblem('pub', [table({ name: 'dogs', primaryKey: 'none' })])).toBe(
      'publication "pub" includes table "public"."dogs", which has no primary key and no usable replica identity: the application\'s own UPDATE and DELETE on it fail now. ' +
        'Fix it: ALTER TABLE "public"."dogs" REPLICA IDENTITY FULL; or, when no stream reads it, ALTER PUBLICATION "pub" DROP TABLE ONLY "public"."dogs";',
    );
  });
});
