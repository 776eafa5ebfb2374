import {
  Bool,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int16,
  Int32,
  Int64,
  TimestampMicrosecond,
  Utf8,
  type DataType,
} from 'apache-arrow';
import { isPgMetadataKey, PG_METADATA_KEYS } from '../frames/frame-metadata.js';
import { FrameOpError } from './frame-op-error.js';

/** Cast target names `frame-cast` accepts (plus `decimal(p,s)` / `numeric(p,s)`). */
export const CAST_TYPES = [
  'int16',
  'int32',
  'int64',
  'float64',
  'utf8',
  'bool',
  'date',
  'timestamp',
  'timestamptz',
  'decimal(p,s)',
] as const;
export type CastTypeName = (typeof CAST_TYPES)[number];

/** A parsed cast target: its kind, Arrow type and the Postgres type a destination creates. */
export interface CastType {
  readonly kind: 'int' | 'float' | 'utf8' | 'bool' | 'date' | 'timestamp' | 'decimal';
  readonly arrow: DataType;
  /** Bounds of an integer target. */
  readonly min?: bigint;
  readonly max?: bigint;
  readonly precision?: number;
  readonly scale?: number;
  /** `rapidbyte.pg_type`, `rapidbyte.pg_oid`, `rapidbyte.pg_category` of the cast column. */
  readonly pg: readonly [string, number, string];
}

const ALIASES: Readonly<Record<string, string>> = {
  smallint: 'int16',
  int2: 'int16',
  integer: 'int32',
  int: 'int32',
  int4: 'int32',
  bigint: 'int64',
  int8: 'int64',
  double: 'float64',
  float: 'float64',
  float8: 'float64',
  'double precision': 'float64',
  string: 'utf8',
  text: 'utf8',
  boolean: 'bool',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
};

/** Parses a cast target (`int64`, `decimal(12,2)`, ...); an unknown one is `BAD_CAST_TYPE` naming the allowed ones. */
export function parseCastType(column: string, text: string): CastType {
  const name = ALIASES[text.trim().toLowerCase()] ?? text.trim().toLowerCase();
  switch (name) {
    case 'int16':
      return { kind: 'int', arrow: new Int16(), min: -32768n, max: 32767n, pg: ['smallint', 21, 'N'] };
    case 'int32':
      return { kind: 'int', arrow: new Int32(), min: -2147483648n, max: 2147483647n, pg: ['integer', 23, 'N'] };
    case 'int64':
      return { kind: 'int', arrow: new Int64(), min: -(2n ** 63n), max: 2n ** 63n - 1n, pg: ['bigint', 20, 'N'] };
    case 'float64':
      return { kind: 'float', arrow: new Float64(), pg: ['double precision', 701, 'N'] };
    case 'utf8':
      return { kind: 'utf8', arrow: new Utf8(), pg: ['text', 25, 'S'] };
    case 'bool':
      return { kind: 'bool', arrow: new Bool(), pg: ['boolean', 16, 'B'] };
    case 'date':
      return { kind: 'date', arrow: new DateDay(), pg: ['date', 1082, 'D'] };
    case 'timestamp':
      return {
        kind: 'timestamp',
        arrow: new TimestampMicrosecond(null),
        pg: ['timestamp without time zone', 1114, 'D'],
      };
    case 'timestamptz':
      return { kind: 'timestamp', arrow: new TimestampMicrosecond('UTC'), pg: ['timestamp with time zone', 1184, 'D'] };
  }
  const m = /^(?:decimal|numeric)\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/.exec(name);
  if (m) {
    const precision = Number(m[1]);
    const scale = Number(m[2] ?? 0);
    if (precision >= 1 && precision <= 38 && scale <= precision) {
      return {
        kind: 'decimal',
        arrow: new Decimal(scale, precision, 128),
        precision,
        scale,
        pg: [`numeric(${precision},${scale})`, 1700, 'N'],
      };
    }
  }
  throw new FrameOpError(
    'BAD_CAST_TYPE',
    `cast of ${JSON.stringify(column)}: unknown type ${JSON.stringify(text)}; allowed: ${CAST_TYPES.join(', ')} (decimal precision 1..38)`,
    { column },
  );
}

/** The field of a cast column: new type, the source field's other metadata, the target's Postgres type. */
export function castField(field: Field, target: CastType): Field {
  const metadata = new Map([...field.metadata].filter(([k]) => !isPgMetadataKey(k)));
  metadata.set(PG_METADATA_KEYS.type, target.pg[0]);
  metadata.set(PG_METADATA_KEYS.oid, String(target.pg[1]));
  metadata.set(PG_METADATA_KEYS.category, target.pg[2]);
  return new Field(field.name, target.arrow, field.nullable, metadata);
}
