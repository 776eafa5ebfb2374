import type { Request, Response } from '@rapidbyte/sdk/contract';
import { classifyError } from '../errors/classify-error.js';
import type { ChannelItem } from './frame-channel.js';
import type { FrameTable } from './frame-table.js';
import type { NetCapability } from './net-capability.js';
import type { PgCapability } from './pg-capability.js';
import type { ReplicationCapability } from '../cdc/replication-capability.js';

/** Where a destination or transform reads its input from. */
export interface FrameSource {
  next(): Promise<ChannelItem>;
}

/**
 * Fulfils the I/O requests a guest returns from `run-step`. Never throws: failures become a
 * `failed` response carrying a classified error, which the SDK rethrows inside the guest.
 */
export class RequestDispatcher {
  constructor(
    readonly pg: PgCapability,
    readonly net: NetCapability,
    readonly frames: FrameTable,
    readonly input: FrameSource | undefined,
    readonly replication?: ReplicationCapability,
    /** Destination: waits until the dead letters it sent are stored (`dead-letters-flush`). */
    readonly deadLetters?: { flush(): Promise<void> },
  ) {}

  #replication(): ReplicationCapability {
    if (!this.replication) throw Object.assign(new Error('logical replication is only available to a source reading a sync_mode cdc stream'), { kind: 'permanent', code: 'REPLICATION_UNAVAILABLE' });
    return this.replication;
  }

  async fulfil(request: Request): Promise<Response> {
    try {
      return await this.#fulfil(request);
    } catch (error) {
      return { tag: 'failed', val: classifyError(error) };
    }
  }

  async #fulfil(request: Request): Promise<Response> {
    switch (request.tag) {
      case 'pg-connect':
        return { tag: 'pg-conn', val: await this.pg.connect(request.val) };
      case 'pg-query':
        return { tag: 'query-result', val: await this.pg.query(request.val.conn, request.val.sql, request.val.params) };
      case 'pg-copy-out': {
        const r = request.val;
        return { tag: 'copy-stream', val: this.pg.copyOut(r.conn, r.sql, r.columns, r.batchRows, r.schemaMetadata) };
      }
      case 'pg-copy-out-next': {
        const next = await this.pg.copyOutNext(request.val);
        return 'frame' in next ? { tag: 'frame', val: next.frame } : { tag: 'end-of-data', val: BigInt(next.end) };
      }
      case 'pg-copy-in':
        return { tag: 'copy-stream', val: this.pg.copyIn(request.val.conn, request.val.sql, request.val.columns) };
      case 'pg-copy-in-write':
        return { tag: 'row-count', val: BigInt(await this.pg.copyInWrite(request.val.copy, request.val.frame)) };
      case 'pg-copy-in-end':
        return { tag: 'row-count', val: BigInt(await this.pg.copyInEnd(request.val)) };
      case 'pg-close':
        await this.pg.close(request.val);
        return { tag: 'none' };
      case 'pg-replication-open':
        return { tag: 'replication', val: await this.#replication().open(request.val) };
      case 'pg-replication-snapshot':
        return { tag: 'snapshot', val: await this.#replication().snapshot(request.val) };
      case 'pg-replication-snapshot-done':
        await this.#replication().snapshotDone(request.val);
        return { tag: 'none' };
      case 'pg-replication-next': {
        const next = await this.#replication().next(request.val);
        if ('frame' in next) return { tag: 'frame', val: next.frame };
        if ('checkpoint' in next) return { tag: 'checkpoint', val: next.checkpoint };
        return { tag: 'end-of-data', val: 0n };
      }
      case 'next-frame': {
        if (!this.input) throw Object.assign(new Error('next-frame: this session has no input'), { kind: 'permanent', code: 'NO_INPUT' });
        const item = await this.input.next();
        if (item.kind === 'frame') return { tag: 'frame', val: this.frames.add(item.batch) };
        if (item.kind === 'checkpoint') return { tag: 'checkpoint', val: item.payload };
        return { tag: 'end-of-data', val: 0n };
      }
      case 'http':
        return { tag: 'http', val: await this.net.http(request.val) };
      case 'tcp-connect':
        return { tag: 'socket', val: await this.net.tcpConnect(request.val[0], request.val[1]) };
      case 'tcp-read':
        return { tag: 'bytes', val: await this.net.tcpRead(request.val[0], request.val[1]) };
      case 'tcp-write':
        await this.net.tcpWrite(request.val[0], request.val[1]);
        return { tag: 'none' };
      case 'tcp-close':
        this.net.tcpClose(request.val);
        return { tag: 'none' };
      case 'fs-read':
        return { tag: 'bytes', val: await this.net.fsRead(request.val.path, request.val.offset, request.val.length) };
      case 'sleep-ms':
        await new Promise((resolve) => setTimeout(resolve, request.val));
        return { tag: 'none' };
      case 'dead-letters-flush':
        // no state DB behind this session (check, dry run): nothing to wait for
        await this.deadLetters?.flush();
        return { tag: 'none' };
    }
  }
}
