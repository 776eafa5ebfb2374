import type { ColumnDecoder } from './column-decoder.js';
import { DecimalColumnDecoder } from './decimal-column-decoder.js';
import {
  Bits32ColumnDecoder,
  Bits64ColumnDecoder,
  BoolColumnDecoder,
  DateColumnDecoder,
  Int16ColumnDecoder,
  TimestampColumnDecoder,
  UuidColumnDecoder,
} from './fixed-column-decoders.js';
import { pgColumnToArrowField } from './pg-arrow-type.js';
import type { PgColumn } from './pg-column.js';
import { pgColumnKind } from './pg-column-kind.js';
import { VarColumnDecoder } from './var-column-decoder.js';

/** The decoder of one column, chosen by the column's kind (see pg-column-kind.ts). */
export function makeColumnDecoder(column: PgColumn, capacity: number): ColumnDecoder {
  const field = pgColumnToArrowField(column);
  const kind = pgColumnKind(column);
  switch (kind) {
    case 'int16':
      return new Int16ColumnDecoder(column, field, capacity);
    case 'int32':
    case 'uint32':
    case 'float32':
      return new Bits32ColumnDecoder(column, field, capacity, kind);
    case 'int64':
    case 'time':
      return new Bits64ColumnDecoder(column, field, capacity, 'int64');
    case 'float64':
      return new Bits64ColumnDecoder(column, field, capacity, 'float64');
    case 'timestamp':
    case 'timestamptz':
      return new TimestampColumnDecoder(column, field, capacity);
    case 'date':
      return new DateColumnDecoder(column, field, capacity);
    case 'bool':
      return new BoolColumnDecoder(column, field, capacity);
    case 'uuid':
      return new UuidColumnDecoder(column, field, capacity);
    case 'decimal':
      return new DecimalColumnDecoder(column, field, capacity);
    case 'jsonb':
      return new VarColumnDecoder(column, field, capacity, true);
    case 'utf8':
    case 'bytea':
    case 'raw':
      return new VarColumnDecoder(column, field, capacity, false);
  }
}
