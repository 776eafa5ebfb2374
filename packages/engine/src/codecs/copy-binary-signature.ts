/** "PGCOPY\n\377\r\n\0": the 11-byte signature opening every COPY BINARY stream. */
export const COPY_BINARY_SIGNATURE: readonly number[] = [
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00,
];
/** Signature + int32 flags + int32 header extension length. */
export const COPY_BINARY_HEADER_LENGTH = 19;
/** Flags bit 16: rows carry an OID field (WITH OIDS, gone since Postgres 12; not supported). */
export const COPY_BINARY_FLAG_OIDS = 1 << 16;
