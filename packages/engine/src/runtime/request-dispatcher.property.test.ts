/**
 * Property test of the host side of `run-step`: whatever well-typed request a guest returns (bad
 * handles, hosts and paths outside its permissions, junk SQL, columns and URLs, huge lengths and
 * offsets), the dispatcher answers with a response, a `failed` one carrying a classified error when
 * the request can't be fulfilled; it never throws or rejects, which would take the worker down.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PgColumn, Request, Response } from '@rapidbyte/sdk/contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CapabilityPolicy } from './capability-policy.js';
import { FrameTable } from './frame-table.js';
import { NetCapability } from './net-capability.js';
import { PgCapability } from './pg-capability.js';
import { RequestDispatcher } from './request-dispatcher.js';

/** Fixed so CI runs the same cases; a failure prints the seed and the shrunk counterexample. */
const params = { seed: 0xd15_9a7c4, numRuns: 300 } as const;

const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-dispatch-prop-'));
writeFileSync(path.join(dir, 'data.txt'), 'allowed bytes');

/**
 * Loopback is allowed but only ever asked for on port 1 (nothing listens there: connections are
 * refused at once); every other host is outside the policy and refused before any lookup.
 */
const POLICY: CapabilityPolicy = { connector: 'prop-connector', allowedHosts: ['127.0.0.1'], allowedPaths: [dir] };
const LOOPBACK = '127.0.0.1';

const RESPONSE_TAGS = [
  'none',
  'failed',
  'pg-conn',
  'query-result',
  'copy-stream',
  'frame',
  'checkpoint',
  'end-of-data',
  'row-count',
  'http',
  'socket',
  'bytes',
  'replication',
  'snapshot',
];

const u32 = fc.nat({ max: 2 ** 32 - 1 });
const handle = fc.oneof(fc.nat({ max: 4 }), u32);
const text = fc.oneof(fc.string({ maxLength: 16 }), fc.string({ unit: 'binary', maxLength: 16 }));
const host = fc.oneof(fc.constantFrom(LOOPBACK, 'example.invalid', '', '[::1]', 'LOCALHOST', '127.0.0.1.', '*'), text);
/** A host and a port: the loopback only with the closed port 1. */
const endpoint = fc.tuple(host, fc.nat({ max: 65535 })).map(([h, p]): [string, number] => [h, h === LOOPBACK ? 1 : p]);

const column: fc.Arbitrary<PgColumn> = fc.record({
  name: text,
  typeName: fc.oneof(
    fc.constantFrom('integer', 'text', 'numeric(12,2)', 'numeric(999,-3)', 'integer[]', 'public.mood'),
    text,
  ),
  typeOid: fc.oneof(fc.constantFrom(16, 20, 21, 23, 25, 700, 701, 1700, 1082, 1114, 1184, 2950, 3802, 1007), u32),
  typeCategory: fc.oneof(fc.constantFrom('N', 'S', 'E', 'A', 'U', 'D'), text),
  nullable: fc.boolean(),
  enumLabels: fc.array(text, { maxLength: 3 }),
});

const connect = fc
  .record({
    host: fc.oneof(fc.constant(LOOPBACK), host),
    port: fc.constant(1),
    user: text,
    password: text,
    database: text,
    sslMode: fc.constantFrom('disable' as const, 'prefer' as const, 'require' as const, 'verify-full' as const),
    applicationName: text,
  })
  .map((c) => (c.host === LOOPBACK ? c : { ...c, port: 5432 }));

const url = fc.oneof(
  fc.constantFrom(
    `http://${LOOPBACK}:1/x`,
    'https://example.invalid/',
    'ftp://127.0.0.1:1/',
    'not a url',
    '',
    'http://[::1]:1/',
    'file:///etc/passwd',
    'data:,hello',
  ),
  fc.webUrl(),
  text,
);

const request: fc.Arbitrary<Request> = fc.oneof(
  connect.map((val) => ({ tag: 'pg-connect' as const, val })),
  fc
    .record({ conn: handle, sql: text, params: fc.array(fc.option(text, { nil: undefined }), { maxLength: 3 }) })
    .map((val) => ({ tag: 'pg-query' as const, val })),
  fc
    .record({
      conn: handle,
      sql: text,
      columns: fc.array(column, { maxLength: 3 }),
      batchRows: u32,
      schemaMetadata: fc.array(fc.tuple(text, text), { maxLength: 2 }),
    })
    .map((val) => ({ tag: 'pg-copy-out' as const, val })),
  handle.map((val) => ({ tag: 'pg-copy-out-next' as const, val })),
  fc
    .record({ conn: handle, sql: text, columns: fc.array(column, { maxLength: 3 }) })
    .map((val) => ({ tag: 'pg-copy-in' as const, val })),
  fc
    .record({ copy: handle, frame: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) })
    .map((val) => ({ tag: 'pg-copy-in-write' as const, val })),
  handle.map((val) => ({ tag: 'pg-copy-in-end' as const, val })),
  handle.map((val) => ({ tag: 'pg-close' as const, val })),
  handle.map((val) => ({ tag: 'pg-replication-snapshot' as const, val })),
  handle.map((val) => ({ tag: 'pg-replication-snapshot-done' as const, val })),
  handle.map((val) => ({ tag: 'pg-replication-next' as const, val })),
  fc.constant({ tag: 'next-frame' as const }),
  fc
    .record({
      method: fc.oneof(fc.constantFrom('GET', 'POST', 'CONNECT', 'TRACE', 'get'), text),
      url,
      headers: fc.array(fc.tuple(text, text), { maxLength: 2 }),
      body: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: undefined }),
    })
    .map((val) => ({ tag: 'http' as const, val })),
  endpoint.map((val) => ({ tag: 'tcp-connect' as const, val })),
  fc.tuple(handle, u32).map((val) => ({ tag: 'tcp-read' as const, val })),
  fc.tuple(handle, fc.uint8Array({ maxLength: 8 })).map((val) => ({ tag: 'tcp-write' as const, val })),
  handle.map((val) => ({ tag: 'tcp-close' as const, val })),
  fc
    .record({
      path: fc.oneof(
        fc.constantFrom(
          path.join(dir, 'data.txt'),
          dir,
          path.join(dir, '..', 'etc'),
          path.join(dir, 'missing'),
          '/etc/passwd',
          'data.txt',
          '',
        ),
        text,
      ),
      offset: fc.oneof(fc.bigInt({ min: 0n, max: 32n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
      length: fc.oneof(fc.nat({ max: 64 }), u32),
    })
    .map((val) => ({ tag: 'fs-read' as const, val })),
  fc.nat({ max: 2 }).map((val) => ({ tag: 'sleep-ms' as const, val })),
  fc.constant({ tag: 'dead-letters-flush' as const }),
);

function checkResponse(response: Response | undefined): void {
  expect(response, 'the dispatcher returned no response').toBeDefined();
  expect(RESPONSE_TAGS).toContain((response as Response).tag);
  if (response?.tag !== 'failed') return;
  const error = response.val;
  expect(['transient', 'permanent']).toContain(error.kind);
  expect(typeof error.code).toBe('string');
  expect(error.code).not.toBe('');
  expect(typeof error.message).toBe('string');
  expect(error.message).not.toBe('');
}

describe('RequestDispatcher (properties)', () => {
  it('answers every sequence of guest requests with a response, failures as classified errors, never by throwing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 6 }), async (requests) => {
        const frames = new FrameTable();
        const pg = new PgCapability(POLICY, frames, 1 << 20);
        const net = new NetCapability(POLICY);
        const input = { next: async () => ({ kind: 'end' as const }) };
        const dispatcher = new RequestDispatcher(pg, net, frames, input as never, undefined, undefined);
        try {
          for (const r of requests) checkResponse(await dispatcher.fulfil(r));
        } finally {
          net.closeAll();
          await pg.closeAll();
        }
      }),
      params,
    );
  });
});
