import { describe, expect, it } from 'vitest';
import { PENDING_KEY_PREFIX, pendingAsDeferred, pendingFromComment } from '../src/pending-constraints.js';

describe('pendingAsDeferred', () => {
  it('builds each owed constraint on the given table under its own name', () => {
    expect(
      pendingAsDeferred(
        [{ name: 'Big_pkey', definition: 'PRIMARY KEY (id, "Kind")', columns: 'id, "Kind"', kind: 'primary key' }],
        '"raw"."big__rb_stage"',
      ),
    ).toEqual([
      {
        build: 'ALTER TABLE "raw"."big__rb_stage" ADD CONSTRAINT "Big_pkey" PRIMARY KEY (id, "Kind")',
        comments: [],
        columns: 'id, "Kind"',
        kind: 'primary key',
      },
    ]);
  });

  it('says in words what the table comment is for', () => {
    expect(PENDING_KEY_PREFIX).toMatch(/^rapidbyte: primary key pending/);
  });
});

describe('pendingFromComment', () => {
  it('reads the owed constraints back; any other comment owes nothing', () => {
    const owed = [{ name: 'big_pkey', definition: 'PRIMARY KEY (id)', columns: 'id', kind: 'primary key' }];
    expect(pendingFromComment(PENDING_KEY_PREFIX + JSON.stringify(owed))).toEqual(owed);
    expect(pendingFromComment(undefined)).toEqual([]);
    expect(pendingFromComment('the users table')).toEqual([]);
    expect(pendingFromComment(`${PENDING_KEY_PREFIX}not json`)).toEqual([]);
    expect(pendingFromComment(`${PENDING_KEY_PREFIX}{"name":"x"}`)).toEqual([]);
  });
});
