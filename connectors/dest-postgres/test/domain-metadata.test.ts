import { describe, expect, it } from 'vitest';
import { DOMAIN_COLUMNS_METADATA } from '@rapidbyte/sdk/frames';
import { domainColumnsOf, withPgType } from '../src/domain-metadata.js';

describe('domainColumnsOf', () => {
  it('reads column -> domain from the schema metadata, dropping malformed and unsafe entries', () => {
    const meta = {
      [DOMAIN_COLUMNS_METADATA]: JSON.stringify({
        mail: 'public.email',
        evil: 'text; DROP TABLE x',
        n: 3,
        q: '"My"."Dom"',
      }),
    };
    expect([...domainColumnsOf(meta)]).toEqual([
      ['mail', 'public.email'],
      ['q', '"My"."Dom"'],
    ]);
    expect(domainColumnsOf({ [DOMAIN_COLUMNS_METADATA]: 'not json' }).size).toBe(0);
    expect(domainColumnsOf({ [DOMAIN_COLUMNS_METADATA]: '["a"]' }).size).toBe(0);
    expect(domainColumnsOf(undefined).size).toBe(0);
  });

  it('withPgType replaces only the field type used for the DDL', () => {
    const field = {
      name: 'mail',
      type: 'Utf8',
      nullable: false,
      metadata: { 'rapidbyte.pg_type': 'citext', 'rapidbyte.pg_oid': '16400' },
    };
    expect(withPgType(field, 'public.email')).toEqual({
      ...field,
      metadata: { 'rapidbyte.pg_type': 'public.email', 'rapidbyte.pg_oid': '16400' },
    });
  });
});
