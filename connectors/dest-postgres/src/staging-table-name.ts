import { MAX_IDENTIFIER_BYTES } from '@rapidbyte/sdk/postgres';

/** Suffix of the table a `replace` loads into before it is swapped in. */
const STAGING_SUFFIX = '__rb_stage';

/**
 * `<table>__rb_stage`, or, when that is longer than 63 UTF-8 bytes, the table name cut on a
 * character boundary plus `_<8 hex digits of a hash of the full name>__rb_stage`, so two long
 * names with the same prefix still get different staging tables.
 */
export function stagingTableName(table: string): string {
  const plain = table + STAGING_SUFFIX;
  if (utf8Length(plain) <= MAX_IDENTIFIER_BYTES) return plain;
  const tag = `_${fnv1a32Hex(table)}${STAGING_SUFFIX}`;
  return cutUtf8(table, MAX_IDENTIFIER_BYTES - tag.length) + tag;
}

/** UTF-8 length of a string (lone surrogates count as the 3 bytes of U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) bytes += utf8Size(ch.codePointAt(0) ?? 0);
  return bytes;
}

/** FNV-1a (32 bit) over the UTF-8 bytes of `text`, as 8 hex digits. No crypto in the guest. */
export function fnv1a32Hex(text: string): string {
  let hash = 0x811c9dc5;
  for (const ch of text) {
    for (const byte of utf8Bytes(ch.codePointAt(0) ?? 0)) {
      hash ^= byte;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  }
  return hash.toString(16).padStart(8, '0');
}

/** The longest prefix of `text` that fits `maxBytes` UTF-8 bytes, cut on a character boundary. */
export function cutUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const size = utf8Size(ch.codePointAt(0) ?? 0);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return out;
}

function utf8Size(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

function utf8Bytes(cp: number): number[] {
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}
