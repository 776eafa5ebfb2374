import type { Request, Response } from '@rapidbyte/sdk/contract';
import { classifyError } from '../errors/classify-error.js';
import type { ChannelItem } from './frame-channel.js';
import type { FrameTable } from './frame-table.js';
import type { NetCapability } from './net-capability.js';
import type { PgCapability } from './pg-capability.js';
import type { ReplicationRequests } from './replication-requests.js';

/** Where a destination or transform reads its input from. */
export interface FrameSource {
  next(): Promise<ChannelItem>;
}

/** The longest `sleep-ms` a guest may ask for (a timer past 2^31-1 ms fires at once in Node). */
export const MAX_SLEEP_MS = 60_000;

/** A request whose shape the host cannot serve (a connector built against another contract, or a bug in it). */
function badRequest(message: string): Error {
  return Object.assign(new Error(message), { kind: 'permanent', code: 'BAD_REQUEST' });
}

/** `value` as a non-negative safe integer, or a BAD_REQUEST naming `what`. */
function count(value: unknown, what: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw badRequest(`${what} must be a non-negative integer, got ${String(value)}`);
  return n;
}

/**
 * Fulfils the I/O requests a guest returns from `run-step`. Never throws: failures become a
 * `failed` response carrying a classified error, which the SDK rethrows inside the guest (a
 * connector is third-party code: no request it sends may take the host down).
 */
export class RequestDispatcher {
  constructor(
    readonly pg: PgCapability,
    readonly net: NetCapability,
    readonly frames: FrameTable,
    readonly input: FrameSource | undefined,
    readonly replication?: ReplicationRequests,
    /** Destination: waits until the dead letters it sent are stored (`dead-letters-flush`). */
    readonly deadLetters?: { flush(): Promise<void> },
  ) {}

  #replication(): ReplicationRequests {
    if (!this.replication)
      throw Object.assign(
        new Error('logical replication is only available to a source reading a sync_mode cdc stream'),
        { kind: 'permanent', code: 'REPLICATION_UNAVAILABLE' },
      );
    return this.replication;
  }

  async fulfil(request: Request): Promise<Response> {
    try {
      if (typeof request !== 'object' || request === null || typeof request.tag !== 'string')
        throw badRequest(`a request must be a tagged variant, got ${describe(request)}`);
      return await this.#fulfil(request);
    } catch (error) {
      // a payload of the wrong shape fails where it is first read (reading a field of undefined)
      if (error instanceof TypeError)
        return {
          tag: 'failed',
          val: classifyError(badRequest(`malformed ${describe(request)} request: ${error.message}`)),
        };
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
        if (!this.input)
          throw Object.assign(new Error('next-frame: this session has no input'), {
            kind: 'permanent',
            code: 'NO_INPUT',
          });
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
        return {
          tag: 'bytes',
          val: await this.net.tcpRead(request.val[0], count(request.val[1], 'tcp-read max bytes')),
        };
      case 'tcp-write':
        await this.net.tcpWrite(request.val[0], request.val[1]);
        return { tag: 'none' };
      case 'tcp-close':
        this.net.tcpClose(request.val);
        return { tag: 'none' };
      case 'fs-read':
        return {
          tag: 'bytes',
          val: await this.net.fsRead(
            request.val.path,
            BigInt(count(request.val.offset, 'fs-read offset')),
            count(request.val.length, 'fs-read length'),
          ),
        };
      case 'sleep-ms': {
        const ms = count(request.val, 'sleep-ms');
        if (ms > MAX_SLEEP_MS) throw badRequest(`sleep-ms asks for ${ms} ms; at most ${MAX_SLEEP_MS} ms per request`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        return { tag: 'none' };
      }
      case 'dead-letters-flush':
        // no state DB behind this session (check, dry run): nothing to wait for
        await this.deadLetters?.flush();
        return { tag: 'none' };
      default:
        throw badRequest(`unknown request ${describe(request)}`);
    }
  }
}

/** A request's tag for messages (never its payload, which may hold SQL parameters or secrets). */
function describe(request: unknown): string {
  const tag = (request as { tag?: unknown } | null)?.tag;
  return typeof tag === 'string' ? `'${tag.slice(0, 64)}'` : typeof request;
}
