import { DataType, DateUnit, Precision, TimeUnit, Type, type Field } from 'apache-arrow';
import type { ColumnEncoder } from './column-encoder.js';
import { CopyEncodeError } from './copy-encode-error.js';
import {
  Bits32ColumnEncoder,
  Bits64ColumnEncoder,
  BoolColumnEncoder,
  DateColumnEncoder,
  TimestampColumnEncoder,
  UuidColumnEncoder,
  WideningColumnEncoder,
} from './fixed-column-encoders.js';
import type { PgColumn } from './pg-column.js';
import { pgColumnKind } from './pg-column-kind.js';
import { PG_METADATA_KEYS } from '@rapidbyte/sdk/contract';
import { arrayElementTypeName, unqualifiedTypeName } from '@rapidbyte/sdk/postgres';
import { PG_BINARY_ENCODING, PG_OID } from './pg-oids.js';
import {
  ArrayRetagColumnEncoder,
  BytesColumnEncoder,
  DecimalColumnEncoder,
  NullColumnEncoder,
} from './var-column-encoders.js';

/** Which writer a (batch field, target column) pair uses; one encoder instance per kind and column. */
export const ENCODER_KINDS = [
  'null',
  'bits32',
  'bits64',
  'int16>int2',
  'int16>int4',
  'int16>int8',
  'int32>int8',
  'float32>float8',
  'bool',
  'bytes',
  'jsonb',
  'uuid',
  'date',
  'timestamp',
  'decimal',
  'enum-array',
] as const;
export type EncoderKind = (typeof ENCODER_KINDS)[number];

function isInt(t: DataType, bits: number, signed: boolean): boolean {
  return DataType.isInt(t) && t.bitWidth === bits && t.isSigned === signed;
}
function isFloat(t: DataType, p: Precision): boolean {
  return DataType.isFloat(t) && t.precision === p;
}

/**
 * Whether raw Postgres binary tagged with field metadata can be written verbatim into `column`:
 * the same type, or a composite type of the same name in another schema (the destination
 * recreates a source's composite type in its own schema; the binary names only the attributes'
 * types, which Postgres checks on input).
 */
function sameRawType(field: Field, column: PgColumn): boolean {
  const typeName = field.metadata.get(PG_METADATA_KEYS.type);
  return (
    field.metadata.get(PG_METADATA_KEYS.oid) === String(column.typeOid) ||
    typeName === column.typeName ||
    (field.metadata.get(PG_METADATA_KEYS.category) === 'C' &&
      column.typeCategory === 'C' &&
      typeName !== undefined &&
      unqualifiedTypeName(typeName) === unqualifiedTypeName(column.typeName))
  );
}

/**
 * Whether raw binary of an array of a user-defined type can go into array `column` with its
 * element OID rewritten: an enum array (the field carries its element's labels; the enum is
 * another type at the destination, its values are the same label texts), or an array of a
 * same-named type in another schema (a composite type the destination recreated in its schema).
 */
function retaggableArray(field: Field, column: PgColumn): boolean {
  if (field.metadata.get(PG_METADATA_KEYS.category) !== 'A' || column.typeCategory !== 'A') return false;
  if (column.elementOid === undefined) return false;
  if (field.metadata.has(PG_METADATA_KEYS.enumLabels)) return true;
  const sourceElement = arrayElementTypeName(field.metadata.get(PG_METADATA_KEYS.type) ?? '');
  const targetElement = arrayElementTypeName(column.typeName);
  return (
    sourceElement !== undefined &&
    targetElement !== undefined &&
    unqualifiedTypeName(sourceElement) === unqualifiedTypeName(targetElement)
  );
}

function pickKind(column: PgColumn, field: Field): EncoderKind | undefined {
  const t = field.type as DataType;
  if (t.typeId === Type.Binary && field.metadata.get(PG_METADATA_KEYS.encoding) === PG_BINARY_ENCODING) {
    if (sameRawType(field, column)) return 'bytes';
    return retaggableArray(field, column) ? 'enum-array' : undefined;
  }
  if (column.typeOid === PG_OID.numeric && DataType.isDecimal(t)) {
    return t.bitWidth === 128 && t.scale >= 0 ? 'decimal' : undefined;
  }
  switch (pgColumnKind(column)) {
    case 'int16':
      return isInt(t, 16, true) ? 'int16>int2' : undefined;
    case 'int32':
      return isInt(t, 32, true) ? 'bits32' : isInt(t, 16, true) ? 'int16>int4' : undefined;
    case 'int64':
      return isInt(t, 64, true)
        ? 'bits64'
        : isInt(t, 32, true)
          ? 'int32>int8'
          : isInt(t, 16, true)
            ? 'int16>int8'
            : undefined;
    case 'uint32':
      return isInt(t, 32, false) ? 'bits32' : undefined;
    case 'float32':
      return isFloat(t, Precision.SINGLE) ? 'bits32' : undefined;
    case 'float64':
      return isFloat(t, Precision.DOUBLE) ? 'bits64' : isFloat(t, Precision.SINGLE) ? 'float32>float8' : undefined;
    case 'bool':
      return DataType.isBool(t) ? 'bool' : undefined;
    case 'utf8':
      return t.typeId === Type.Utf8 ? 'bytes' : undefined;
    case 'jsonb':
      return t.typeId === Type.Utf8 ? 'jsonb' : undefined;
    case 'bytea':
      return t.typeId === Type.Binary ? 'bytes' : undefined;
    case 'uuid':
      return DataType.isFixedSizeBinary(t) && t.byteWidth === 16 ? 'uuid' : undefined;
    case 'date':
      return DataType.isDate(t) && t.unit === DateUnit.DAY ? 'date' : undefined;
    case 'time':
      return DataType.isTime(t) && t.unit === TimeUnit.MICROSECOND && t.bitWidth === 64 ? 'bits64' : undefined;
    case 'timestamp':
      return DataType.isTimestamp(t) && t.unit === TimeUnit.MICROSECOND && !t.timezone ? 'timestamp' : undefined;
    case 'timestamptz':
      return DataType.isTimestamp(t) && t.unit === TimeUnit.MICROSECOND && !!t.timezone ? 'timestamp' : undefined;
    case 'decimal':
    case 'raw':
      return undefined;
  }
}

/**
 * The writer kind for target `column` fed from batch field `field` (undefined: not in the batch).
 * Throws CopyEncodeError when the column is missing and NOT NULL, or the Arrow type has no
 * writer for the target type.
 */
export function encoderKind(column: PgColumn, field: Field | undefined): EncoderKind {
  if (field === undefined) {
    if (column.nullable) return 'null';
    throw new CopyEncodeError('MISSING_COLUMN', `target column "${column.name}" (NOT NULL) is missing from the batch`, {
      column: column.name,
      pgType: column.typeName,
    });
  }
  const kind = pickKind(column, field);
  if (kind !== undefined) return kind;
  const enc = field.metadata.get(PG_METADATA_KEYS.encoding);
  const arrowType = `${String(field.type)}${enc === undefined ? '' : ` (pg_encoding ${enc}, pg_type ${field.metadata.get(PG_METADATA_KEYS.type) ?? '?'})`}`;
  throw new CopyEncodeError(
    'UNSUPPORTED_CONVERSION',
    `column "${column.name}": cannot write Arrow ${arrowType} as Postgres ${column.typeName}`,
    {
      column: column.name,
      arrowType,
      pgType: column.typeName,
    },
  );
}

/** A fresh encoder of `kind` for `column`. */
export function makeColumnEncoder(column: PgColumn, kind: EncoderKind, arrowType: string): ColumnEncoder {
  switch (kind) {
    case 'null':
      return new NullColumnEncoder(column, 'absent');
    case 'bits32':
      return new Bits32ColumnEncoder(column, arrowType);
    case 'bits64':
      return new Bits64ColumnEncoder(column, arrowType);
    case 'int16>int2':
      return new WideningColumnEncoder(column, arrowType, 'int2');
    case 'int16>int4':
      return new WideningColumnEncoder(column, arrowType, 'int4');
    case 'int16>int8':
    case 'int32>int8':
      return new WideningColumnEncoder(column, arrowType, 'int8');
    case 'float32>float8':
      return new WideningColumnEncoder(column, arrowType, 'float8');
    case 'bool':
      return new BoolColumnEncoder(column, arrowType);
    case 'bytes':
      return new BytesColumnEncoder(column, arrowType, false);
    case 'jsonb':
      return new BytesColumnEncoder(column, arrowType, true);
    case 'uuid':
      return new UuidColumnEncoder(column, arrowType);
    case 'date':
      return new DateColumnEncoder(column, arrowType);
    case 'timestamp':
      return new TimestampColumnEncoder(column, arrowType);
    case 'decimal':
      return new DecimalColumnEncoder(column, arrowType);
    case 'enum-array':
      return new ArrayRetagColumnEncoder(column, arrowType, column.elementOid ?? 0);
  }
}
