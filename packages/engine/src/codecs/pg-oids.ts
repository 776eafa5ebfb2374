/** Builtin Postgres type OIDs the codecs map to native Arrow types (stable across versions). */
export const PG_OID = {
  bool: 16,
  bytea: 17,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

/** OIDs below this are assigned by initdb and identical in every database. */
export const FIRST_NORMAL_OBJECT_ID = 16384;

/** Value of `rapidbyte.pg_encoding` for a Binary field holding raw Postgres binary-format values. */
export const PG_BINARY_ENCODING = 'binary';
