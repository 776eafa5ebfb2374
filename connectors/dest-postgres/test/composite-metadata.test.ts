import { COMPOSITE_COLUMNS_METADATA } from '@rapidbyte/sdk/frames';
import { describe, expect, it } from 'vitest';
import { compositeColumnsOf, createCompositeTypeDdl } from '../src/composite-metadata.js';

describe('compositeColumnsOf', () => {
  it('reads the columns and their definitions from the schema metadata', () => {
    const metadata = {
      [COMPOSITE_COLUMNS_METADATA]: JSON.stringify({
        home: {
          type: 'addr',
          attributes: [
            ['street', 'text'],
            ['zip', 'integer'],
            ['tags', 'text[]'],
          ],
        },
      }),
    };
    expect([...compositeColumnsOf(metadata)]).toEqual([
      [
        'home',
        {
          type: 'addr',
          attributes: [
            ['street', 'text'],
            ['zip', 'integer'],
            ['tags', 'text[]'],
          ],
        },
      ],
    ]);
  });

  it('leaves out malformed entries and any with an attribute type unusable in DDL', () => {
    const metadata = {
      [COMPOSITE_COLUMNS_METADATA]: JSON.stringify({
        a: { type: 'x', attributes: [['v', 'int); DROP TABLE t; --']] },
        b: { type: '', attributes: [['v', 'int']] },
        c: { type: 'y', attributes: [] },
        d: 'nonsense',
      }),
    };
    expect(compositeColumnsOf(metadata).size).toBe(0);
    expect(compositeColumnsOf({ [COMPOSITE_COLUMNS_METADATA]: '{not json' }).size).toBe(0);
    expect(compositeColumnsOf(undefined).size).toBe(0);
  });
});

describe('createCompositeTypeDdl', () => {
  it('quotes the names and keeps the attribute types as the source printed them', () => {
    expect(
      createCompositeTypeDdl('wh', {
        type: 'My Addr',
        attributes: [
          ['street', 'text'],
          ['Zip', 'numeric(5,-2)'],
        ],
      }),
    ).toBe('CREATE TYPE "wh"."My Addr" AS ("street" text, "Zip" numeric(5,-2))');
  });
});
