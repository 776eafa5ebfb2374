import { describe, expect, it } from 'vitest';
import { relationColumn } from './relation-column.js';

const col = (typeOid: number, typeMod = -1) => relationColumn({ key: false, name: 'c', typeOid, typeMod });

describe('relationColumn', () => {
  it('names builtin types as format_type does, typmods included', () => {
    expect(col(23)?.typeName).toBe('integer');
    expect(col(20)?.typeName).toBe('bigint');
    expect(col(1700)?.typeName).toBe('numeric');
    expect(col(1700, ((12 << 16) | 2) + 4)?.typeName).toBe('numeric(12,2)');
    expect(col(1043, 44)?.typeName).toBe('character varying(40)');
    expect(col(1042, 7)?.typeName).toBe('character(3)');
    expect(col(1184, 3)?.typeName).toBe('timestamp(3) with time zone');
    expect(col(1184)?.typeName).toBe('timestamp with time zone');
    expect(col(1007)).toMatchObject({ typeName: 'integer[]', typeCategory: 'A', nullable: true });
  });

  it('cannot name user-defined or unlisted types', () => {
    expect(col(16500)).toBeUndefined();
    expect(col(3904)).toBeUndefined(); // int4range
  });
});
