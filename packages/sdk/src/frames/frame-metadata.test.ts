import { describe, expect, it } from 'vitest';
import { isPgMetadataKey, PG_METADATA_KEYS, PRIMARY_KEY_METADATA } from './frame-metadata.js';

describe('isPgMetadataKey', () => {
  it('is true for every Postgres field key and false for other metadata', () => {
    for (const key of Object.values(PG_METADATA_KEYS)) expect(isPgMetadataKey(key)).toBe(true);
    expect(isPgMetadataKey(PRIMARY_KEY_METADATA)).toBe(false);
    expect(isPgMetadataKey('rapidbyte.pg_typ')).toBe(false);
  });
});
