/**
 * The column types an incremental cursor may have, by type OID (a domain counts as its base type).
 * `cast` is the type the cursor's text values are cast to in SQL: a fixed name without a typmod,
 * so a stored value is never truncated or rounded by the cast. `time` types accept a lookback.
 */
export const CURSOR_TYPES = [
  { oid: 21, cast: 'smallint', time: false },
  { oid: 23, cast: 'integer', time: false },
  { oid: 20, cast: 'bigint', time: false },
  { oid: 1700, cast: 'numeric', time: false },
  { oid: 1082, cast: 'date', time: true },
  { oid: 1114, cast: 'timestamp without time zone', time: true },
  { oid: 1184, cast: 'timestamp with time zone', time: true },
  { oid: 25, cast: 'text', time: false },
  { oid: 1043, cast: 'character varying', time: false },
] as const;

export type CursorType = (typeof CURSOR_TYPES)[number];

/** The cursor type of a column type OID, or undefined when it cannot be a cursor. */
export function cursorTypeOf(typeOid: number): CursorType | undefined {
  return CURSOR_TYPES.find((t) => t.oid === typeOid);
}

/** For messages: the accepted cursor types. */
export const CURSOR_TYPE_NAMES = 'smallint, integer, bigint, numeric, date, timestamp, timestamptz, text, varchar';
