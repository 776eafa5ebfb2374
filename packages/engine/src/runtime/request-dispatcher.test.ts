import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request, Response } from '@rapidbyte/sdk/contract';
import { afterEach, describe, expect, it } from 'vitest';
import type { CapabilityPolicy } from './capability-policy.js';
import { FrameTable } from './frame-table.js';
import { NetCapability } from './net-capability.js';
import { PgCapability } from './pg-capability.js';
import { MAX_SLEEP_MS, RequestDispatcher } from './request-dispatcher.js';

const dir = mkdtempSync(join(tmpdir(), 'rb-dispatch-'));
const FILE = join(dir, 'data.txt');
writeFileSync(FILE, 'twelve bytes');
const policy: CapabilityPolicy = { connector: 'probe', allowedHosts: ['127.0.0.1'], allowedPaths: [dir] };

const open: { pg: PgCapability; net: NetCapability }[] = [];
afterEach(async () => {
  for (const { pg, net } of open.splice(0)) {
    await pg.closeAll();
    net.closeAll();
  }
});

function dispatcher(): RequestDispatcher {
  const frames = new FrameTable();
  const pg = new PgCapability(policy, frames, 8 << 20);
  const net = new NetCapability(policy);
  open.push({ pg, net });
  return new RequestDispatcher(pg, net, frames, undefined);
}

/** Sends what a misbehaving guest might: the dispatcher answers, it never throws. */
async function send(request: unknown): Promise<Response> {
  return dispatcher().fulfil(request as Request);
}

function failure(response: Response): { kind: string; code: string; message: string } {
  expect(
    response.tag,
    JSON.stringify(response, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
  ).toBe('failed');
  return (response as Extract<Response, { tag: 'failed' }>).val;
}

describe("RequestDispatcher fed a misbehaving guest's requests", () => {
  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['no tag', { val: 1 }],
    ['an unknown tag', { tag: 'format-disk', val: '/' }],
  ])('refuses %s as BAD_REQUEST', async (_what, request) => {
    const error = failure(await send(request));
    expect(error).toMatchObject({ kind: 'permanent', code: 'BAD_REQUEST' });
  });

  it.each<[string, unknown]>([
    ['pg-query without a payload', { tag: 'pg-query' }],
    ['pg-copy-out with a null payload', { tag: 'pg-copy-out', val: null }],
    ['pg-copy-in-write without a payload', { tag: 'pg-copy-in-write' }],
    ['tcp-connect without a payload', { tag: 'tcp-connect' }],
    ['fs-read without a payload', { tag: 'fs-read' }],
  ])('refuses %s as a malformed request naming its tag', async (_what, request) => {
    const error = failure(await send(request));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/^malformed '[a-z-]+' request: /);
  });

  it.each<[string, unknown, string]>([
    [
      'pg-query on an unknown connection',
      { tag: 'pg-query', val: { conn: 999, sql: 'SELECT 1', params: [] } },
      'BAD_HANDLE',
    ],
    [
      'pg-copy-out on an unknown connection',
      { tag: 'pg-copy-out', val: { conn: 7, sql: 'COPY t TO STDOUT', columns: [], batchRows: 10, schemaMetadata: [] } },
      'BAD_HANDLE',
    ],
    ['pg-copy-out-next on an unknown stream', { tag: 'pg-copy-out-next', val: 12345 }, 'BAD_HANDLE'],
    ['pg-copy-in-write on an unknown stream', { tag: 'pg-copy-in-write', val: { copy: 3, frame: 4 } }, 'BAD_HANDLE'],
    ['pg-copy-in-end on an unknown stream', { tag: 'pg-copy-in-end', val: -1 }, 'BAD_HANDLE'],
    ['next-frame without an input', { tag: 'next-frame' }, 'NO_INPUT'],
    ['pg-replication-next without replication', { tag: 'pg-replication-next', val: 1 }, 'REPLICATION_UNAVAILABLE'],
  ])('answers %s with %s', async (_what, request, code) => {
    expect(failure(await send(request)).code).toBe(code);
  });

  it('answers tcp-read and tcp-write on an unknown socket with an error, not a crash', async () => {
    failure(await send({ tag: 'tcp-read', val: [77, 10] }));
    failure(await send({ tag: 'tcp-write', val: [77, new Uint8Array(4)] }));
  });

  it.each<[string, unknown]>([
    ['a negative length', -1],
    ['a fractional length', 1.5],
    ['a length past a safe integer', 2 ** 60],
    ['a string length', '4096'],
  ])('refuses fs-read with %s', async (_what, length) => {
    const error = failure(await send({ tag: 'fs-read', val: { path: FILE, offset: 0n, length } }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('fs-read length');
  });

  it('serves fs-read with a huge length by reading what the file has (no huge buffer)', async () => {
    const response = await send({ tag: 'fs-read', val: { path: FILE, offset: 0n, length: 2 ** 40 } });
    expect(response.tag).toBe('bytes');
    expect((response as Extract<Response, { tag: 'bytes' }>).val.length).toBe(12);
  });

  it('refuses fs-read at a negative offset', async () => {
    expect(failure(await send({ tag: 'fs-read', val: { path: FILE, offset: -5n, length: 4 } })).code).toBe(
      'BAD_REQUEST',
    );
  });

  it.each<[string, unknown]>([
    ['past the maximum', MAX_SLEEP_MS + 1],
    ["past a timer's range", 2 ** 40],
    ['negative', -100],
    ['not a number', 'forever'],
  ])('refuses sleep-ms %s', async (_what, ms) => {
    expect(failure(await send({ tag: 'sleep-ms', val: ms })).code).toBe('BAD_REQUEST');
  });

  it('refuses a tcp-read with a negative size', async () => {
    expect(failure(await send({ tag: 'tcp-read', val: [1, -1] })).code).toBe('BAD_REQUEST');
  });

  it("never puts a request's payload into the message (it may carry secrets)", async () => {
    const error = failure(await send({ tag: 'pg-connect', val: { host: 'db', password: 's3cret' } }));
    expect(error.message).not.toContain('s3cret');
  });
});
