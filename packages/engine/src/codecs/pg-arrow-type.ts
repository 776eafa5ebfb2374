import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  FixedSizeBinary,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  TimeMicrosecond,
  TimestampMicrosecond,
  Uint32,
  Utf8,
  type DataType,
} from 'apache-arrow';
import type { PgColumn } from './pg-column.js';
import { parseNumericTypmod, pgColumnKind, type PgColumnKind } from './pg-column-kind.js';
import { PG_METADATA_KEYS } from '@rapidbyte/sdk/contract';
import { PG_BINARY_ENCODING } from './pg-oids.js';

/** The Arrow type of a column of the given kind. */
export function arrowTypeForKind(kind: PgColumnKind, column: PgColumn): DataType {
  switch (kind) {
    case 'int16':
      return new Int16();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'uint32':
      return new Uint32();
    case 'float32':
      return new Float32();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'utf8':
    case 'jsonb':
      return new Utf8();
    case 'bytea':
    case 'raw':
      return new Binary();
    case 'uuid':
      return new FixedSizeBinary(16);
    case 'date':
      return new DateDay();
    case 'timestamp':
      return new TimestampMicrosecond(null);
    case 'timestamptz':
      return new TimestampMicrosecond('UTC');
    case 'time':
      return new TimeMicrosecond();
    case 'decimal': {
      const t = parseNumericTypmod(column.typeName);
      if (t === undefined) throw new Error(`decimal kind without typmod: ${column.typeName}`);
      return new Decimal(t.scale, t.precision, 128);
    }
  }
}

/** The metadata every field of a Postgres column carries (`rapidbyte.pg_*`). */
export function pgFieldMetadata(column: PgColumn, rawBinary: boolean): Map<string, string> {
  const m = new Map<string, string>([
    [PG_METADATA_KEYS.type, column.typeName],
    [PG_METADATA_KEYS.oid, String(column.typeOid)],
    [PG_METADATA_KEYS.category, column.typeCategory],
  ]);
  // an enum array carries its element's labels: the destination creates the enum for it too
  if (column.typeCategory === 'E' || (column.typeCategory === 'A' && (column.enumLabels?.length ?? 0) > 0)) {
    m.set(PG_METADATA_KEYS.enumLabels, JSON.stringify(column.enumLabels ?? []));
  }
  if (rawBinary) m.set(PG_METADATA_KEYS.encoding, PG_BINARY_ENCODING);
  return m;
}

/**
 * The Arrow field for a Postgres column. Mapping: int2/int4/int8/oid → Int16/Int32/Int64/Uint32,
 * float4/float8 → Float32/Float64, bool → Bool, text/varchar/bpchar/name/json/jsonb/enums → Utf8,
 * bytea → Binary, uuid → FixedSizeBinary(16), date → Date32, timestamp[tz] → Timestamp(µs[, UTC]),
 * time → Time64(µs), numeric(p≤38,s) → Decimal128(p,s); everything else → Binary of the raw
 * Postgres binary value, tagged `rapidbyte.pg_encoding = 'binary'`.
 */
export function pgColumnToArrowField(column: PgColumn): Field {
  const kind = pgColumnKind(column);
  return new Field(
    column.name,
    arrowTypeForKind(kind, column),
    column.nullable,
    pgFieldMetadata(column, kind === 'raw'),
  );
}

/** Reads a field's metadata back into the Postgres type info (for DDL at the destination). */
export function arrowFieldToPgType(
  field: Field,
): { typeName: string; typeOid: number; typeCategory: string; enumLabels?: string[] } | undefined {
  const typeName = field.metadata.get(PG_METADATA_KEYS.type);
  const oid = field.metadata.get(PG_METADATA_KEYS.oid);
  if (typeName === undefined || oid === undefined || !/^\d+$/.test(oid)) return undefined;
  const typeCategory = field.metadata.get(PG_METADATA_KEYS.category) ?? '';
  const out: { typeName: string; typeOid: number; typeCategory: string; enumLabels?: string[] } = {
    typeName,
    typeOid: Number(oid),
    typeCategory,
  };
  const labels = field.metadata.get(PG_METADATA_KEYS.enumLabels);
  if (labels !== undefined) {
    const parsed: unknown = JSON.parse(labels);
    if (Array.isArray(parsed) && parsed.every((l) => typeof l === 'string')) out.enumLabels = parsed as string[];
  }
  return out;
}
