import { describe, expect, it } from 'vitest';
import { suggestCursor } from './suggest-cursor.js';

const col = (name: string, type: string) => ({ name, type, nullable: false });

describe('suggestCursor', () => {
  it('prefers an updated_at-like timestamp, then a loose match, then an integer key', () => {
    expect(
      suggestCursor(
        [
          col('id', 'bigint'),
          col('created_at', 'timestamp with time zone'),
          col('updated_at', 'timestamp with time zone'),
        ],
        ['id'],
      )?.column,
    ).toBe('updated_at');
    expect(
      suggestCursor([col('id', 'bigint'), col('row_modified', 'timestamp without time zone')], ['id'])?.column,
    ).toBe('row_modified');
    expect(suggestCursor([col('id', 'integer'), col('updated_at', 'text')], ['id'])).toMatchObject({
      column: 'id',
      reason: expect.stringContaining('primary key'),
    });
    expect(suggestCursor([col('code', 'text')], ['code'])).toBeUndefined();
  });
});
