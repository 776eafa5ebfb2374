import {
  Bool,
  Field,
  Struct,
  Float64,
  Int64,
  RecordBatch,
  Schema,
  Table,
  TimestampMicrosecond,
  Utf8,
  makeData,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import { ConnectorError } from './connector-error.js';

/** Column types a guest can build frames of from plain JS values. */
export const ROW_COLUMN_TYPES = ['string', 'int64', 'float64', 'boolean', 'timestamp'] as const;
export type RowColumnType = (typeof ROW_COLUMN_TYPES)[number];

/** A column of a frame built from rows. */
export interface RowColumn {
  readonly name: string;
  /**
   * `string` (Arrow Utf8; objects and arrays are written as JSON), `int64` (integers as numbers,
   * bigints or decimal strings), `float64`, `boolean`, `timestamp` (ISO-8601 strings or epoch
   * milliseconds; Arrow Timestamp(µs, UTC), millisecond precision when parsed from a string).
   */
  readonly type: RowColumnType;
  /** Default true. A null or missing value in a non-nullable column is an error. */
  readonly nullable?: boolean;
}

/** A plain row: column name to value (`null`/`undefined` for NULL). */
export type Row = Readonly<Record<string, unknown>>;

/** Options for building a frame from rows. */
export interface RowsToIpcOptions {
  /** The columns, in order; default: inferred from the rows (`inferRowColumns`). */
  readonly columns?: readonly RowColumn[];
  /** Schema metadata, e.g. `{ 'rapidbyte.primary_key': '["id"]' }` so upserts find the key. */
  readonly metadata?: Readonly<Record<string, string>>;
}

const badValue = (column: string, value: unknown, type: RowColumnType): ConnectorError =>
  ConnectorError.permanent(
    'BAD_VALUE',
    `column ${JSON.stringify(column)}: ${JSON.stringify(value)} is not a valid ${type}`,
    { column },
  );

function arrowType(type: RowColumnType): DataType {
  switch (type) {
    case 'string':
      return new Utf8();
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'boolean':
      return new Bool();
    case 'timestamp':
      return new TimestampMicrosecond('UTC');
  }
}

function convert(column: string, type: RowColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'int64':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
      throw badValue(column, value, type);
    case 'float64':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      throw badValue(column, value, type);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw badValue(column, value, type);
    case 'timestamp': {
      const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (!Number.isFinite(ms)) throw badValue(column, value, type);
      return Math.round(ms); // the Arrow builder takes epoch milliseconds
    }
  }
}

function inferType(values: readonly unknown[]): RowColumnType {
  let seen: RowColumnType | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const t: RowColumnType =
      typeof v === 'boolean'
        ? 'boolean'
        : typeof v === 'bigint'
          ? 'int64'
          : typeof v === 'number'
            ? Number.isInteger(v)
              ? 'int64'
              : 'float64'
            : 'string';
    if (seen === undefined || seen === t) seen = t;
    else if ((seen === 'int64' && t === 'float64') || (seen === 'float64' && t === 'int64')) seen = 'float64';
    else return 'string';
  }
  return seen ?? 'string';
}

/**
 * Columns of rows as `rowsToIpc` would infer them: every key in order of first appearance;
 * integers -> int64 (float64 once any value has a fraction), booleans -> boolean, anything else
 * (and mixed kinds) -> string. Timestamps are never inferred: declare them.
 */
export function inferRowColumns(rows: readonly Row[]): RowColumn[] {
  const names: string[] = [];
  const known = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!known.has(key)) {
        known.add(key);
        names.push(key);
      }
    }
  }
  return names.map((name) => ({ name, type: inferType(rows.map((r) => r[name])), nullable: true }));
}

/**
 * Builds one Arrow record batch from plain rows and returns it as Arrow IPC stream bytes (what
 * `frames.fromIpc` takes). Pure JS: runs in the guest (the portable slow path, ~1M rows/s in
 * SpiderMonkey at best) and in Node tests. Zero rows give a valid empty batch.
 */
export function rowsToIpc(rows: readonly Row[], options: RowsToIpcOptions = {}): Uint8Array {
  const columns = options.columns ?? inferRowColumns(rows);
  const fields: Field[] = [];
  const data = columns.map((c) => {
    const nullable = c.nullable !== false;
    const type = arrowType(c.type);
    const values = rows.map((row) => {
      const v = convert(c.name, c.type, row[c.name]);
      if (v === null && !nullable)
        throw ConnectorError.permanent(
          'NULL_IN_NOT_NULL',
          `column ${JSON.stringify(c.name)} is not nullable but a row has no value`,
          { column: c.name },
        );
      return v;
    });
    fields.push(new Field(c.name, type, nullable));
    return vectorFromArray(values, type).data[0] ?? makeData({ type, length: 0, nullCount: 0 });
  });
  const schema = new Schema(fields, new Map(Object.entries(options.metadata ?? {})));
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children: data }),
  );
  return tableToIPC(new Table([batch]), 'stream');
}
