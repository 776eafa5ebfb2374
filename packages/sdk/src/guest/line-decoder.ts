/**
 * Splits a byte stream read in chunks (e.g. `fs.read`) into UTF-8 text lines. A line may span
 * chunks and a multi-byte character may be cut by a chunk boundary: bytes are kept until the
 * next `\n`, so each line is decoded whole. `\r\n` endings lose their `\r`.
 */
export class LineDecoder {
  readonly #decoder = new TextDecoder('utf-8');
  #pending: Uint8Array = new Uint8Array(0);

  /** Adds a chunk; returns the lines it completed (without their line break). */
  push(chunk: Uint8Array): string[] {
    const bytes = this.#pending.length === 0 ? chunk : concat(this.#pending, chunk);
    const lines: string[] = [];
    let start = 0;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, start)) {
      lines.push(this.#decode(bytes.subarray(start, i)));
      start = i + 1;
    }
    this.#pending = bytes.slice(start);
    return lines;
  }

  /** At end of input: the last line if the input did not end with a line break. */
  end(): string[] {
    const rest = this.#pending;
    this.#pending = new Uint8Array(0);
    return rest.length > 0 ? [this.#decode(rest)] : [];
  }

  #decode(bytes: Uint8Array): string {
    const text = this.#decoder.decode(bytes);
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
