import { Schema } from 'apache-arrow';
import type { PgColumn } from '@rapidbyte/sdk/contract';
import { describe, expect, it, vi } from 'vitest';
import { pgColumnToArrowField } from '../codecs/index.js';
import { CopyRowsFrame } from './copy-rows-frame.js';
import { FrameTable } from './frame-table.js';
import { COPY_DATA_BYTES, PgCapability } from './pg-capability.js';

/** What the fake server received, as written to its socket. */
const wire = vi.hoisted(() => ({ bytes: [] as Buffer[] }));

interface CopySubmittable {
  submit(connection: unknown): void;
  handleCopyInResponse(connection: unknown): void;
  handleCommandComplete(msg: { text: string }): void;
  handleReadyForQuery(): void;
}

// a pg.Client that accepts one COPY FROM: it answers CopyInResponse at once and, on CopyDone,
// CommandComplete + ReadyForQuery
vi.mock('./connect-pg-client.js', () => ({
  connectPgClient: () =>
    Promise.resolve({
      on: () => undefined,
      end: () => Promise.resolve(),
      query(copy: CopySubmittable) {
        const connection = {
          query: () => undefined,
          sendCopyFail: () => undefined,
          stream: {
            once: () => undefined,
            write(bytes: Uint8Array) {
              wire.bytes.push(Buffer.from(bytes));
              if (bytes.length === 5 && bytes[0] === 0x63) {
                queueMicrotask(() => {
                  copy.handleCommandComplete({ text: 'COPY 1' });
                  copy.handleReadyForQuery();
                });
              }
              return true;
            },
          },
        };
        copy.submit(connection);
        queueMicrotask(() => copy.handleCopyInResponse(connection));
        return copy;
      },
    }),
}));

/** The payloads of the CopyData ('d') messages in what was sent. */
function copyDataMessages(): Buffer[] {
  const all = Buffer.concat(wire.bytes);
  const messages: Buffer[] = [];
  for (let at = 0; at < all.length;) {
    const length = all.readUInt32BE(at + 1);
    if (all[at] === 0x64) messages.push(all.subarray(at + 5, at + 1 + length));
    at += 1 + length;
  }
  return messages;
}

const columns: PgColumn[] = [
  { name: 'id', typeName: 'bigint', typeOid: 20, typeCategory: 'N', nullable: false, enumLabels: [] },
];

describe('PgCapability COPY FROM', () => {
  it('sends a frame larger than the CopyData cap as messages of at most the cap, in order', async () => {
    wire.bytes = [];
    const frames = new FrameTable();
    const pg = new PgCapability(
      { connector: 'probe', allowedHosts: ['127.0.0.1'], allowedPaths: [] },
      frames,
      8 << 20,
      {
        copyDataBytes: 10,
      },
    );
    const conn = await pg.connect({
      host: '127.0.0.1',
      port: 5432,
      user: 'u',
      password: '',
      database: 'd',
      sslMode: 'disable',
      applicationName: 'test',
    });
    const copy = pg.copyIn(conn, 'COPY t (id) FROM STDIN (FORMAT binary)', columns);
    const rows = Uint8Array.from({ length: 25 }, (_, i) => i);
    const schema = new Schema(columns.map((c) => pgColumnToArrowField(c)));
    await pg.copyInWrite(copy, frames.add(new CopyRowsFrame(schema, columns, 1, rows)));
    expect(await pg.copyInEnd(copy)).toBe(1);
    // header (19 bytes), the frame's 25 bytes as 10 + 10 + 5, trailer (2 bytes)
    const messages = copyDataMessages();
    expect(messages.map((m) => m.length)).toEqual([19, 10, 10, 5, 2]);
    expect([...Buffer.concat(messages.slice(1, 4))]).toEqual([...rows]);
    await pg.closeAll();
  });

  it('caps messages at 8 MiB by default', () => {
    expect(COPY_DATA_BYTES).toBe(8 << 20);
  });
});
