import { describe, expect, it } from 'vitest';
import { DOMAIN_COLUMNS_METADATA } from '@rapidbyte/sdk/frames';
import { domainColumnsMetadata } from '../src/domain-columns.js';

describe('domainColumnsMetadata', () => {
  it('names the domains of the streamed columns only, and nothing when there are none', () => {
    const domains = new Map([
      ['mail', 'public.email'],
      ['code', 'app."Code"'],
    ]);
    expect(domainColumnsMetadata(domains, [{ name: 'id' }, { name: 'mail' }])).toEqual([
      [DOMAIN_COLUMNS_METADATA, '{"mail":"public.email"}'],
    ]);
    expect(domainColumnsMetadata(domains, [{ name: 'id' }])).toEqual([]);
  });
});
