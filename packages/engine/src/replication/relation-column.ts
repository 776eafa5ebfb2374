import { FIRST_NORMAL_OBJECT_ID, type PgColumn } from '../codecs/index.js';
import type { RelationColumn } from './pgoutput-types.js';

/** Builtin types a column added or retyped under a CDC stream may have: `format_type` name and category. */
const BUILTIN: ReadonlyMap<number, { readonly name: string; readonly category: string }> = new Map([
  [16, { name: 'boolean', category: 'B' }],
  [17, { name: 'bytea', category: 'U' }],
  [20, { name: 'bigint', category: 'N' }],
  [21, { name: 'smallint', category: 'N' }],
  [23, { name: 'integer', category: 'N' }],
  [25, { name: 'text', category: 'S' }],
  [26, { name: 'oid', category: 'N' }],
  [114, { name: 'json', category: 'U' }],
  [650, { name: 'cidr', category: 'I' }],
  [700, { name: 'real', category: 'N' }],
  [701, { name: 'double precision', category: 'N' }],
  [829, { name: 'macaddr', category: 'U' }],
  [869, { name: 'inet', category: 'I' }],
  [1042, { name: 'character', category: 'S' }],
  [1043, { name: 'character varying', category: 'S' }],
  [1082, { name: 'date', category: 'D' }],
  [1083, { name: 'time without time zone', category: 'D' }],
  [1114, { name: 'timestamp without time zone', category: 'D' }],
  [1184, { name: 'timestamp with time zone', category: 'D' }],
  [1186, { name: 'interval', category: 'T' }],
  [1700, { name: 'numeric', category: 'N' }],
  [2950, { name: 'uuid', category: 'U' }],
  [3802, { name: 'jsonb', category: 'U' }],
  [1000, { name: 'boolean[]', category: 'A' }],
  [1005, { name: 'smallint[]', category: 'A' }],
  [1007, { name: 'integer[]', category: 'A' }],
  [1016, { name: 'bigint[]', category: 'A' }],
  [1009, { name: 'text[]', category: 'A' }],
  [1015, { name: 'character varying[]', category: 'A' }],
  [1021, { name: 'real[]', category: 'A' }],
  [1022, { name: 'double precision[]', category: 'A' }],
  [1231, { name: 'numeric[]', category: 'A' }],
  [2951, { name: 'uuid[]', category: 'A' }],
  [3807, { name: 'jsonb[]', category: 'A' }],
]);

/**
 * The stream column a Relation message announces, for a column that was added or changed type
 * while a CDC stream ran: its builtin type by OID with the typmod rendered as `format_type` does
 * (`numeric(12,2)`, `character varying(40)`, `timestamp(3) with time zone`), nullable (pgoutput
 * carries no nullability). Undefined for a type this cannot name (user-defined types — enums,
 * domains, composites — and rarer builtins): the caller refuses the change.
 */
export function relationColumn(column: RelationColumn): PgColumn | undefined {
  if (column.typeOid >= FIRST_NORMAL_OBJECT_ID) return undefined;
  const known = BUILTIN.get(column.typeOid);
  if (!known) return undefined;
  return {
    name: column.name,
    typeName: withTypmod(column.typeOid, known.name, column.typeMod),
    typeOid: column.typeOid,
    typeCategory: known.category,
    nullable: true,
  };
}

function withTypmod(oid: number, name: string, typmod: number): string {
  if (typmod < 0) return oid === 1042 ? 'bpchar' : name;
  switch (oid) {
    case 1700: {
      const v = typmod - 4;
      return `numeric(${(v >> 16) & 0xffff},${v & 0xffff})`;
    }
    case 1042:
    case 1043:
      return `${name}(${typmod - 4})`;
    case 1083:
      return `time(${typmod}) without time zone`;
    case 1114:
      return `timestamp(${typmod}) without time zone`;
    case 1184:
      return `timestamp(${typmod}) with time zone`;
    default:
      return name;
  }
}
