import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CopyOutReader, type CopyOutConnection } from './copy-out-reader.js';

/** One backend message: code, int32 length (itself included), payload. */
function message(code: string, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out.write(code, 0, 'latin1');
  out.writeUInt32BE(4 + payload.length, 1);
  Buffer.from(payload).copy(out, 5);
  return out;
}

const rowsPayloads = Array.from({ length: 6 }, (_, i) => Buffer.from(`row-${i}-${'x'.repeat(i * 3)}`));
const afterCopy = Buffer.concat([message('C', Buffer.from('COPY 6\0')), message('Z', Buffer.from('I'))]);
const wire = Buffer.concat([
  message('H', Buffer.from([1, 0, 0])),
  ...rowsPayloads.slice(0, 3).map((p) => message('d', p)),
  message('N', Buffer.from('notice in the middle')),
  ...rowsPayloads.slice(3).map((p) => message('d', p)),
  message('c'),
  afterCopy,
]);

/** A socket stand-in with pg's data listener on it; records what pg's parser got back. */
function fakeConnection(): { connection: CopyOutConnection; stream: PassThrough; toPg: Buffer[]; queries: string[] } {
  const stream = new PassThrough();
  const toPg: Buffer[] = [];
  const queries: string[] = [];
  stream.on('data', (chunk: Buffer) => toPg.push(Buffer.from(chunk)));
  stream.pause();
  return { connection: { stream, query: (text) => queries.push(text) }, stream, toPg, queries };
}

async function drain(reader: CopyOutReader): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let piece = await reader.read(); piece !== null; piece = await reader.read()) pieces.push(Buffer.from(piece));
  return Buffer.concat(pieces);
}

describe('CopyOutReader', () => {
  it('hands out exactly the CopyData payloads, whatever the socket reads; the rest goes back to pg', async () => {
    for (let cut = 1; cut < wire.length; cut++) {
      for (const second of [cut, Math.min(wire.length - 1, cut + 7)]) {
        const { connection, stream, toPg, queries } = fakeConnection();
        const reader = new CopyOutReader('COPY t TO STDOUT (FORMAT binary)');
        reader.submit(connection);
        expect(queries).toEqual(['COPY t TO STDOUT (FORMAT binary)']);
        const done = drain(reader);
        // three socket reads, cut at `cut` and `second`
        const parts = [
          wire.subarray(0, cut),
          wire.subarray(cut, Math.max(cut, second)),
          wire.subarray(Math.max(cut, second)),
        ];
        for (const part of parts) {
          if (part.length > 0) stream.write(Buffer.from(part));
          await new Promise((resolve) => setImmediate(resolve));
        }
        expect((await done).toString('latin1'), `cut ${cut}/${second}`).toBe(
          Buffer.concat(rowsPayloads).toString('latin1'),
        );
        await new Promise((resolve) => setImmediate(resolve));
        expect(Buffer.concat(toPg).toString('hex'), `cut ${cut}/${second}`).toBe(afterCopy.toString('hex'));
        expect(stream.listenerCount('readable')).toBe(0);
      }
    }
  });

  it('a zero-row COPY ends with no piece at all', async () => {
    const { connection, stream } = fakeConnection();
    const reader = new CopyOutReader('COPY t TO STDOUT');
    reader.submit(connection);
    stream.write(Buffer.concat([message('H', Buffer.from([1, 0, 0])), message('c'), afterCopy]));
    expect(await reader.read()).toBeNull();
  });

  it('an ErrorResponse after some rows: its bytes (header cut or not) go to pg, read() rejects with what pg reports', async () => {
    const error = message('E', Buffer.from('SERROR\0C57P01\0Mterminating connection\0\0'));
    const sent = Buffer.concat([message('H', Buffer.from([1, 0, 0])), message('d', rowsPayloads[0] as Buffer), error]);
    for (const cut of [sent.length - error.length + 2, sent.length - error.length, sent.length - 3]) {
      const { connection, stream, toPg } = fakeConnection();
      const reader = new CopyOutReader('COPY t TO STDOUT');
      reader.submit(connection);
      // copies: the reader compacts the socket's buffers in place (they are its own)
      stream.write(Buffer.from(sent.subarray(0, cut)));
      const first = await reader.read();
      expect(Buffer.from(first as Uint8Array).toString(), `cut ${cut}`).toBe((rowsPayloads[0] as Buffer).toString());
      stream.write(Buffer.from(sent.subarray(cut)));
      const failed = reader.read();
      await new Promise((resolve) => setImmediate(resolve));
      expect(Buffer.concat(toPg).toString('hex'), `cut ${cut}`).toBe(error.toString('hex'));
      // node-postgres parses the ErrorResponse and calls handleError on its active query
      reader.handleError(Object.assign(new Error('terminating connection'), { code: '57P01' }));
      await expect(failed).rejects.toMatchObject({ code: '57P01' });
    }
  });

  it('a connection that closes mid-COPY rejects (transient: ECONNRESET)', async () => {
    const { connection, stream } = fakeConnection();
    const reader = new CopyOutReader('COPY t TO STDOUT');
    reader.submit(connection);
    stream.write(
      Buffer.concat([message('H', Buffer.from([1, 0, 0])), message('d', Buffer.from('abc')).subarray(0, 6)]),
    );
    const pending = (async () => {
      for (;;) if ((await reader.read()) === null) return;
    })();
    await new Promise((resolve) => setImmediate(resolve));
    stream.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});
