import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConnectorHarness } from './connector-harness.js';
import { UnansweredRequestError } from './request-handlers.js';

/** The sandbox-probe test connector (a check that tries a file read and a TCP connect). */
const PROBE = fileURLToPath(new URL('../../../../tests/fixtures/connectors/sandbox-probe', import.meta.url));
const harness = await ConnectorHarness.load(PROBE);

describe('ConnectorHarness against a built component', () => {
  it('answers fs-read from the in-memory file map and refuses other paths', async () => {
    const granted = await harness.check({ config: { path: '/data/in.txt' }, files: { '/data/in.txt': 'hello' } });
    expect(granted.result).toMatchObject({
      items: [{ name: 'ambient' }, { name: 'fs', ok: true, message: 'read 5 bytes' }],
    });
    expect(granted.requestTags()).toEqual(['fs-read']);
    const denied = await harness.check({ config: { path: '/etc/passwd' } });
    expect(denied.result).toMatchObject({
      items: [{}, { name: 'fs', ok: false, message: expect.stringContaining('FS_DENIED') }],
    });
  });

  it('fails the test with a clear message for a request kind it does not answer', async () => {
    const run = harness.check({ config: { host: '127.0.0.1', port: 5432 } });
    await expect(run).rejects.toBeInstanceOf(UnansweredRequestError);
    await expect(harness.check({ config: { host: 'h' } })).rejects.toThrow(
      /'tcp-connect' request .* handlers\['tcp-connect'\]/,
    );
  });

  it('answers any request kind by tag', async () => {
    const run = await harness.check({
      config: { host: 'db.example', port: 5432 },
      handlers: { 'tcp-connect': () => ({ tag: 'socket', val: 7 }), 'tcp-close': () => ({ tag: 'none' }) },
    });
    expect(run.result).toMatchObject({
      items: [{}, { name: 'net', ok: true, message: 'connected to db.example:5432' }],
    });
    expect(run.requests).toEqual([
      { tag: 'tcp-connect', val: ['db.example', 5432] },
      { tag: 'tcp-close', val: 7 },
    ]);
  });

  it('reports an unsupported operation as the guest error, and the spec', async () => {
    const run = await harness.read();
    expect(run.error).toMatchObject({ code: 'UNSUPPORTED_OPERATION' });
    expect(() => run.result).toThrow('UNSUPPORTED_OPERATION');
    expect(await harness.spec()).toEqual({});
  });
});
