import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { RecordBatch } from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import type { PgReplicationOpen } from '@rapidbyte/sdk/contract';
import { formatLsn } from '../replication/index.js';
import { pgo } from '../replication/test-support/pgoutput-builder.js';
import { FrameTable } from '../runtime/frame-table.js';
import type { ReplicationItem } from '../runtime/replication-requests.js';
import { ITEM_KINDS, ItemPacker, type ItemKind, type WorkerToHub } from './hub-protocol.js';
import { ReplicationCapability } from './replication-capability.js';

const RELATION = 16_400;
const INT8 = 20;

/** A hub on the other end of a MessageChannel: answers every request, sends what the test gives it. */
function fakeHub(): { port: MessagePort; send: (items: [ItemKind, bigint, Uint8Array?][]) => void; close: () => void } {
  const { port1, port2 } = new MessageChannel();
  port2.on('message', (m: WorkerToHub) => {
    if ('id' in m) port2.postMessage({ t: 'reply', id: m.id });
  });
  return {
    port: port1,
    send: (items) => {
      const packer = new ItemPacker();
      for (const [kind, lsn, data] of items) packer.push(kind, lsn, data);
      port2.postMessage({ t: 'items', ...packer.take() });
    },
    close: () => {
      port1.close();
      port2.close();
    },
  };
}

const openOptions: PgReplicationOpen = {
  connect: {
    host: 'db.internal',
    port: 5432,
    user: 'u',
    password: '',
    database: 'src',
    sslMode: 'disable',
    applicationName: 'rapidbyte/test',
  },
  slot: 'rb_slot',
  publication: 'rb_pub',
  streamName: 'public.ev',
  schemaName: 'public',
  tableName: 'ev',
  columns: [{ name: 'id', typeName: 'bigint', typeOid: INT8, typeCategory: 'N', nullable: false, enumLabels: [] }],
  relationTypeOids: [INT8],
  ignoreColumns: [],
  key: ['id'],
  coalesce: true,
  startLsn: formatLsn(0x100n),
  batchRows: 1000,
  schemaMetadata: [],
};

/** An int8 in pgoutput's binary format. */
const int8 = (n: number): Uint8Array => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
};

/** One source transaction inserting `id`, committing at `end`. */
const transaction = (id: number, end: bigint): [ItemKind, bigint, Uint8Array?][] => [
  [ITEM_KINDS.change, end - 8n, pgo.insert(RELATION, [int8(id)])],
  [ITEM_KINDS.commit, end],
];

describe('ReplicationCapability checkpoints', () => {
  const hubs: { close: () => void }[] = [];
  afterEach(() => {
    for (const hub of hubs.splice(0)) hub.close();
  });

  async function opened(lingerMs: number): Promise<{
    capability: ReplicationCapability;
    frames: FrameTable;
    hub: ReturnType<typeof fakeHub>;
  }> {
    const hub = fakeHub();
    hubs.push(hub);
    const frames = new FrameTable();
    const traffic = { rowsOut: 0, bytesOut: 0, rowsIn: 0, bytesIn: 0 };
    const capability = new ReplicationCapability(
      hub.port,
      { connector: 'source-postgres', allowedHosts: ['*'], allowedPaths: [] },
      frames,
      64 * 1024 * 1024,
      traffic,
      true,
      lingerMs,
    );
    await capability.open(openOptions);
    hub.send([
      [ITEM_KINDS.relation, 0n, pgo.relation(RELATION, 'public', 'ev', [{ name: 'id', typeOid: INT8, key: true }])],
    ]);
    return { capability, frames, hub };
  }

  const rowsOf = (frames: FrameTable, item: ReplicationItem): number =>
    'frame' in item ? (frames.frame(item.frame) as RecordBatch).numRows : -1;

  it('transactions arriving while a checkpoint lingers join it; the end of the changes checkpoints at once', async () => {
    // a linger far longer than the test: only the end of the changes can release the checkpoint
    const { capability, frames, hub } = await opened(60_000);
    hub.send(transaction(1, 0x200n));
    let settled = false;
    const first = capability.next(1).finally(() => (settled = true));
    hub.send(transaction(2, 0x300n));
    hub.send(transaction(3, 0x400n));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    hub.send([[ITEM_KINDS.end, 0n]]);
    expect(rowsOf(frames, await first)).toBe(3);
    expect(await capability.next(1)).toEqual({ checkpoint: JSON.stringify({ mode: 'cdc', lsn: formatLsn(0x400n) }) });
    expect(await capability.next(1)).toEqual({ end: true });
  });

  it('without a linger each transaction that finds no other behind it is checkpointed on its own', async () => {
    const { capability, frames, hub } = await opened(0);
    hub.send(transaction(1, 0x200n));
    expect(rowsOf(frames, await capability.next(1))).toBe(1);
    expect(await capability.next(1)).toEqual({ checkpoint: JSON.stringify({ mode: 'cdc', lsn: formatLsn(0x200n) }) });
    hub.send(transaction(2, 0x300n));
    expect(rowsOf(frames, await capability.next(1))).toBe(1);
    expect(await capability.next(1)).toEqual({ checkpoint: JSON.stringify({ mode: 'cdc', lsn: formatLsn(0x300n) }) });
  });
});
