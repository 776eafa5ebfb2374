import type { PgColumn } from './pg-column.js';
import { PG_OID } from './pg-oids.js';

/**
 * How one Postgres column travels as Arrow. `raw` = Binary holding the exact Postgres binary
 * value (types Arrow lacks); `bytea` = Binary holding the bytes themselves.
 */
export const PG_COLUMN_KINDS = [
  'int16',
  'int32',
  'int64',
  'uint32',
  'float32',
  'float64',
  'bool',
  'utf8',
  'jsonb',
  'bytea',
  'uuid',
  'date',
  'timestamp',
  'timestamptz',
  'time',
  'decimal',
  'raw',
] as const;
export type PgColumnKind = (typeof PG_COLUMN_KINDS)[number];

/** Largest precision that fits Decimal128. */
export const MAX_DECIMAL128_PRECISION = 38;

const KIND_BY_OID: ReadonlyMap<number, PgColumnKind> = new Map<number, PgColumnKind>([
  [PG_OID.int2, 'int16'],
  [PG_OID.int4, 'int32'],
  [PG_OID.int8, 'int64'],
  [PG_OID.oid, 'uint32'],
  [PG_OID.float4, 'float32'],
  [PG_OID.float8, 'float64'],
  [PG_OID.bool, 'bool'],
  [PG_OID.text, 'utf8'],
  [PG_OID.varchar, 'utf8'],
  [PG_OID.bpchar, 'utf8'],
  [PG_OID.name, 'utf8'],
  [PG_OID.json, 'utf8'],
  [PG_OID.jsonb, 'jsonb'],
  [PG_OID.bytea, 'bytea'],
  [PG_OID.uuid, 'uuid'],
  [PG_OID.date, 'date'],
  [PG_OID.timestamp, 'timestamp'],
  [PG_OID.timestamptz, 'timestamptz'],
  [PG_OID.time, 'time'],
]);

/** Precision and scale of a constrained numeric type name (`numeric(12,2)`, `numeric(5)`). */
export function parseNumericTypmod(typeName: string): { precision: number; scale: number } | undefined {
  const m = /^numeric\((\d+)(?:,\s*(-?\d+))?\)$/.exec(typeName.trim());
  if (m === null) return undefined;
  const precision = Number(m[1]);
  const scale = m[2] === undefined ? 0 : Number(m[2]);
  return { precision, scale };
}

/** Decides how a column travels (see the type mapping in pg-arrow-type.ts). */
export function pgColumnKind(column: PgColumn): PgColumnKind {
  if (column.typeCategory === 'E') return 'utf8';
  if (column.typeCategory === 'A') return 'raw';
  if (column.typeOid === PG_OID.numeric) {
    const t = parseNumericTypmod(column.typeName);
    // Negative scales (pg 15+) and scale > precision have no Decimal128 equivalent we write back.
    if (
      t !== undefined &&
      t.precision >= 1 &&
      t.precision <= MAX_DECIMAL128_PRECISION &&
      t.scale >= 0 &&
      t.scale <= t.precision
    ) {
      return 'decimal';
    }
    return 'raw';
  }
  return KIND_BY_OID.get(column.typeOid) ?? 'raw';
}
