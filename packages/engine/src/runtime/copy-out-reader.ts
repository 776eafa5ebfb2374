import type { Readable } from 'node:stream';

/** Protocol message codes this reader looks at (PostgreSQL frontend/backend protocol 3). */
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'
const COPY_OUT_RESPONSE = 0x48; // 'H'
const NOTICE_RESPONSE = 0x4e; // 'N'
const PARAMETER_STATUS = 0x53; // 'S'
const NOTIFICATION_RESPONSE = 0x41; // 'A'

/** The parts of node-postgres's connection the reader uses (its socket, with pg's own data listener). */
export interface CopyOutConnection {
  readonly stream: Readable;
  query(text: string): void;
}

/**
 * `COPY … TO STDOUT` for node-postgres without a JavaScript object per row: submitted as a query
 * (`client.query(reader)`), it takes the connection's socket from pg's parser (as pg-copy-streams
 * does), reads the protocol messages itself, and hands out the concatenated CopyData payloads of
 * each socket read — moved together in place inside the socket's buffer, so a row costs one
 * `copyWithin`, never a Buffer of its own (Postgres sends one CopyData message per row: with
 * pg-copy-streams, 1M rows were 1M Buffer slices, ~0.3 CPU-s of allocation and as much GC).
 * At CopyDone (or an ErrorResponse, or any message that ends copy-out mode) the rest of the
 * bytes go back to pg's parser, which finishes the query (CommandComplete, ReadyForQuery, or the
 * error). Pull-based: the socket is read only when `read()` is called, so a slow consumer holds
 * the server back (TCP backpressure), not memory.
 */
export class CopyOutReader {
  /** Rows the server reported in CommandComplete (`COPY n`). */
  rowCount: number | undefined;
  readonly #text: string;
  #connection: CopyOutConnection | undefined;
  #pgDataHandler: ((chunk: Buffer) => void) | undefined;
  /** Bytes of a message header (code + length) cut by a socket read. */
  #header = Buffer.alloc(5);
  #headerLength = 0;
  #code = 0;
  /** Payload bytes of the current message still to come. */
  #remaining = 0;
  #inMessage = false;
  #done = false;
  #detached = false;
  #error: Error | undefined;
  #waiting: (() => void) | undefined;
  readonly #onReadable = (): void => this.#wake();
  readonly #onClose = (): void =>
    this.#fail(Object.assign(new Error('the connection closed during COPY TO'), { code: 'ECONNRESET' }));

  constructor(text: string) {
    this.#text = text;
  }

  /** Called by node-postgres when the query is sent. */
  submit(connection: CopyOutConnection): void {
    this.#connection = connection;
    const stream = connection.stream;
    const listeners = stream.listeners('data') as ((chunk: Buffer) => void)[];
    if (listeners.length !== 1)
      throw new Error(`expected pg's one data listener on the socket, found ${listeners.length}`);
    this.#pgDataHandler = listeners[0];
    stream.removeListener('data', this.#pgDataHandler as (chunk: Buffer) => void);
    stream.pause();
    stream.on('readable', this.#onReadable);
    stream.on('close', this.#onClose);
    connection.query(this.#text);
  }

  /** node-postgres: the server's error (after the ErrorResponse went back to its parser). */
  handleError(error: Error): void {
    this.#fail(error);
  }

  handleCommandComplete(message: { text?: string } | undefined): void {
    const match = /COPY (\d+)/.exec(message?.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  handleReadyForQuery(): void {}

  /**
   * The next piece of the COPY stream (whole or partial rows; empty pieces are skipped), or
   * null after CopyDone. Rejects with the server's error or a closed connection.
   */
  async read(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.#error) throw this.#error;
      if (this.#done) return null;
      const stream = this.#detached ? undefined : this.#connection?.stream;
      const chunk = stream?.read() as Buffer | null | undefined;
      if (chunk) {
        const piece = this.#parse(chunk);
        if (piece.length > 0) return piece;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
      });
    }
  }

  /**
   * Walks the messages of one socket read, moving CopyData payload bytes to the front of `chunk`;
   * returns them. Ends copy-out mode at CopyDone or a message that is not part of it, handing
   * the bytes from there on back to pg.
   */
  #parse(chunk: Buffer): Uint8Array {
    let read = 0;
    let write = 0;
    while (read < chunk.length) {
      if (!this.#inMessage) {
        const take = Math.min(5 - this.#headerLength, chunk.length - read);
        chunk.copy(this.#header, this.#headerLength, read, read + take);
        this.#headerLength += take;
        read += take;
        if (this.#headerLength < 5) break;
        this.#code = this.#header[0] as number;
        const length = this.#header.readUInt32BE(1);
        if (this.#code === COPY_DONE) {
          this.#detach(chunk.subarray(read), true);
          return chunk.subarray(0, write);
        }
        if (!isCopyOutMessage(this.#code)) {
          // an ErrorResponse (or anything else that ends copy-out mode): pg reads it from its
          // header (which may have been cut across reads) and reports it through handleError
          this.#detach(Buffer.concat([this.#header, chunk.subarray(read)]), this.#code !== ERROR_RESPONSE);
          return chunk.subarray(0, write);
        }
        this.#headerLength = 0;
        this.#remaining = length - 4;
        this.#inMessage = true;
      }
      const take = Math.min(this.#remaining, chunk.length - read);
      if (this.#code === COPY_DATA) {
        if (write !== read) chunk.copyWithin(write, read, read + take);
        write += take;
      }
      read += take;
      this.#remaining -= take;
      if (this.#remaining === 0) this.#inMessage = false;
    }
    return chunk.subarray(0, write);
  }

  /**
   * Gives the socket back to pg's parser with the bytes it has to read next. `done`: the stream
   * ended (after an ErrorResponse it fails instead, once pg has parsed the error).
   */
  #detach(rest: Buffer, done: boolean): void {
    const connection = this.#connection;
    const handler = this.#pgDataHandler;
    this.#done = done;
    this.#detached = true;
    if (!connection || !handler) return;
    const stream = connection.stream;
    stream.removeListener('readable', this.#onReadable);
    stream.removeListener('close', this.#onClose);
    stream.on('data', handler);
    if (rest.length > 0) handler(rest);
    process.nextTick(() => stream.resume());
    this.#wake();
  }

  #fail(error: Error): void {
    this.#error ??= error;
    const stream = this.#connection?.stream;
    stream?.removeListener('readable', this.#onReadable);
    stream?.removeListener('close', this.#onClose);
    this.#wake();
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }
}

/** Messages that may come while the server is in copy-out mode (the rest end it). */
function isCopyOutMessage(code: number): boolean {
  return (
    code === COPY_DATA ||
    code === COPY_OUT_RESPONSE ||
    code === NOTICE_RESPONSE ||
    code === PARAMETER_STATUS ||
    code === NOTIFICATION_RESPONSE
  );
}
