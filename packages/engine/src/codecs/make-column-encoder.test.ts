import { Binary, Field } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { PG_METADATA_KEYS } from '@rapidbyte/sdk/contract';
import { encoderKind } from './make-column-encoder.js';
import type { PgColumn } from './pg-column.js';
import { PG_BINARY_ENCODING } from './pg-oids.js';

/** A raw-binary field as the source tags it (type name, OID and category of the source's type). */
function rawField(typeName: string, oid: number, category: string): Field {
  return new Field(
    'c',
    new Binary(),
    true,
    new Map([
      [PG_METADATA_KEYS.type, typeName],
      [PG_METADATA_KEYS.oid, String(oid)],
      [PG_METADATA_KEYS.category, category],
      [PG_METADATA_KEYS.encoding, PG_BINARY_ENCODING],
    ]),
  );
}

function column(typeName: string, typeOid: number, typeCategory: string, elementOid?: number): PgColumn {
  return { name: 'c', typeName, typeOid, typeCategory, nullable: true, enumLabels: [], elementOid };
}

describe('encoderKind for raw binary of user-defined types', () => {
  it('writes a composite verbatim into the same-named composite the destination created in its schema', () => {
    expect(encoderKind(column('wh."addr"', 90001, 'C'), rawField('addr', 16400, 'C'))).toBe('bytes');
    expect(encoderKind(column('addr', 90001, 'C'), rawField('public.addr', 16400, 'C'))).toBe('bytes');
  });

  it('retags an array of a same-named composite with the destination element OID', () => {
    expect(encoderKind(column('wh.addr[]', 90002, 'A', 90001), rawField('addr[]', 16399, 'A'))).toBe('enum-array');
  });

  it('refuses a composite of another name, and an array whose element OID is unknown', () => {
    expect(() => encoderKind(column('wh.place', 90001, 'C'), rawField('addr', 16400, 'C'))).toThrow(
      /cannot write Arrow Binary .*pg_type addr.* as Postgres wh.place/,
    );
    expect(() => encoderKind(column('wh.addr[]', 90002, 'A'), rawField('addr[]', 16399, 'A'))).toThrow(/cannot write/);
    expect(() => encoderKind(column('wh.place[]', 90002, 'A', 90001), rawField('addr[]', 16399, 'A'))).toThrow(
      /cannot write/,
    );
  });
});
