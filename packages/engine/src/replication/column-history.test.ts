import { describe, expect, it } from 'vitest';
import { catalogColumnsFromRows, followShapeChange, parseColumnIdentity } from './column-history.js';

const catalog = catalogColumnsFromRows([
  [1, 'id', '23', false, null, false],
  [2, 'title', '25', false, null, false],
  [3, 'qty', '23', false, null, false],
  [4, 'status', '25', true, 'new', true],
  [5, 'token', '25', false, null, true],
  [6, 'note', '25', false, null, false],
]);

describe('followShapeChange', () => {
  const known = parseColumnIdentity('[[1,"id",23],[2,"name",25],[3,"qty",23]]')!;

  it('a column with the attnum and type a dropped one had is a rename; added ones get the catalog fill', () => {
    const change = followShapeChange(
      known,
      ['id', 'name', 'qty'],
      ['id', 'qty', 'title', 'status', 'token', 'note'],
      catalog,
    );
    expect(change.renamed).toEqual({ title: 'name' });
    expect(change.fill).toEqual({ status: { value: 'new' }, token: { unknown: true } });
    expect([...change.known.keys()]).toEqual(['id', 'qty', 'title', 'status', 'token', 'note']);
    expect(change.known.get('title')).toEqual({ attnum: 2, typeOid: 25 });
  });

  it('no rename when the type differs; a name the catalog no longer has (a replay of older changes) keeps what was known', () => {
    const retyped = followShapeChange(parseColumnIdentity('[[2,"name",23]]')!, ['name'], ['title'], catalog);
    expect(retyped.renamed).toEqual({});
    const replay = followShapeChange(known, ['id', 'name', 'qty'], ['id', 'name'], catalog);
    expect(replay.known.get('name')).toEqual({ attnum: 2, typeOid: 25 });
  });

  it('reads no identity from absent or malformed metadata', () => {
    expect(parseColumnIdentity(undefined)).toBeUndefined();
    expect(parseColumnIdentity('{')).toBeUndefined();
  });
});
