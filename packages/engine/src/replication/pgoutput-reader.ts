import { ReplicationError } from './replication-error.js';
import { UNCHANGED, type TupleData, type TupleValue } from './pgoutput-types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A bounds-checked cursor over one pgoutput message. Every read that would pass the end throws
 * PGOUTPUT_PROTOCOL naming the message and the offset, never a RangeError.
 */
export class PgOutputReader {
  pos = 1;

  constructor(
    readonly buf: Buffer,
    /** Message name for errors, e.g. 'Insert'. */
    readonly message: string,
  ) {}

  fail(what: string, offset = this.pos): never {
    throw new ReplicationError(
      'PGOUTPUT_PROTOCOL',
      `malformed pgoutput ${this.message} message (${this.buf.length} bytes): ${what} at offset ${offset}`,
      { offset },
    );
  }

  #need(n: number, what: string): number {
    const at = this.pos;
    if (at + n > this.buf.length) this.fail(`truncated: ${what} needs ${n} bytes, ${this.buf.length - at} left`);
    this.pos = at + n;
    return at;
  }

  u8(what: string): number {
    return this.buf[this.#need(1, what)] as number;
  }

  i16(what: string): number {
    return this.buf.readInt16BE(this.#need(2, what));
  }

  i32(what: string): number {
    return this.buf.readInt32BE(this.#need(4, what));
  }

  u32(what: string): number {
    return this.buf.readUInt32BE(this.#need(4, what));
  }

  u64(what: string): bigint {
    return this.buf.readBigUInt64BE(this.#need(8, what));
  }

  i64(what: string): bigint {
    return this.buf.readBigInt64BE(this.#need(8, what));
  }

  bytes(n: number, what: string): Buffer {
    const at = this.#need(n, what);
    return this.buf.subarray(at, at + n);
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(what: string): string {
    const at = this.pos;
    const nul = this.buf.indexOf(0, at);
    if (nul < 0) this.fail(`truncated: ${what} has no terminating NUL`);
    let s: string;
    try {
      s = utf8.decode(this.buf.subarray(at, nul));
    } catch {
      this.fail(`${what} is not valid UTF-8`, at);
    }
    this.pos = nul + 1;
    return s;
  }

  /** A TupleData: Int16 column count, then per column 'n' | 'u' | 't' Int32 len bytes | 'b' Int32 len bytes. */
  tuple(): TupleData {
    const n = this.i16('tuple column count');
    if (n < 0) this.fail(`negative tuple column count ${n}`, this.pos - 2);
    const out = new Array<TupleValue>(n);
    for (let i = 0; i < n; i++) {
      const kind = this.u8(`kind of tuple column ${i}`);
      if (kind === 0x6e) out[i] = null;
      else if (kind === 0x75) out[i] = UNCHANGED;
      else if (kind === 0x62 || kind === 0x74) {
        const len = this.i32(`length of tuple column ${i}`);
        if (len < 0) this.fail(`negative length ${len} of tuple column ${i}`, this.pos - 4);
        const value = this.bytes(len, `value of tuple column ${i}`);
        out[i] = kind === 0x62 ? { binary: value } : { text: value };
      } else {
        this.fail(`unknown kind 0x${kind.toString(16).padStart(2, '0')} of tuple column ${i}`, this.pos - 1);
      }
    }
    return out;
  }

  /** Throws when bytes are left after the message. */
  end(): void {
    if (this.pos !== this.buf.length) this.fail(`${this.buf.length - this.pos} unexpected bytes after the message`);
  }
}
