// Lifecycle events and webhook notifications: a failed run is heard about exactly once, even when
// the receiver is down for a while or the process is killed while delivering; a dead receiver
// never holds up a run's exit; and the target's secrets are never shown or stored.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pgEndpoint, runCli, writePipeline } from '../support/run-cli.js';
import { spawnCli, waitFor } from '../support/spawn-cli.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';
import { databaseScope } from '../support/database-scope.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const cluster = testPg();
const scope = databaseScope(cluster);
const SECRET = 'whsec-Ql7vX2pK9';
const TOKEN = 'tok-8Hh3Zr1Vn5';
const ENV = { WEBHOOK_SECRET: SECRET, HOOK_TOKEN: TOKEN };

interface EventJson {
  id: number;
  uid: string;
  type: string;
  runId?: number;
  payload: Record<string, unknown>;
  deliveries: { target: string; status: string; attempts: number; lastError?: string; lastStatus?: number }[];
}

let src: TestDatabase;
let dst: TestDatabase;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  src = await scope.create(
    'hook_src',
    'CREATE TABLE public.items (id int PRIMARY KEY, name text); INSERT INTO public.items SELECT g, md5(g::text) FROM generate_series(1, 100) g;',
  );
  dst = await scope.create('hook_dst');
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});
afterAll(async () => {
  await scope.dropAll();
});

async function receiver(options: { failFirst?: number; hangFirst?: number } = {}): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver({ secret: SECRET, ...options });
  receivers.push(r);
  return r;
}

/** A pipeline whose destination password is wrong (the run fails with AUTH_FAILED), notifying `url`. */
function failingPipeline(name: string, url: string, target: string): string {
  const wrongUrl = cluster.url(dst.name, cluster.passwordUser.user, 'definitely-wrong');
  return writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.items, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(wrongUrl)}
notifications:
  - url: ${url}
    events: [run.failed]
    headers: { Authorization: "Bearer \${HOOK_TOKEN}" }
    secret: "\${WEBHOOK_SECRET}"
${target}
`);
}

async function eventsJson(file: string, type?: string): Promise<EventJson[]> {
  const result = await runCli(['events', 'list', '--json', '--pipeline', file, ...(type ? ['--type', type] : [])], {
    env: ENV,
  });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).not.toContain(SECRET);
  expect(result.stdout).not.toContain(TOKEN);
  return JSON.parse(result.stdout) as EventJson[];
}

/** The raw bytes of the pipeline's SQLite state DB (and its WAL), as text. */
function stateDbDump(file: string): string {
  const db = join(dirname(file), '.rapidbyte', 'state.db');
  return [db, `${db}-wal`]
    .filter(existsSync)
    .map((p) => readFileSync(p).toString('latin1'))
    .join('\n');
}

describe('webhook notifications of lifecycle events', () => {
  it("a failed run is delivered exactly once after 3 failed attempts, signed, with the stream's error; secrets are never listed or stored", async () => {
    const hook = await receiver({ failFirst: 3 });
    const file = failingPipeline('hook_retry', hook.url, '    backoff: 10ms');
    // the run records its events and leaves them pending (as if killed right after its finish committed)
    const run = await runCli(['run', '--notify-wait', '0', file], { env: ENV });
    expect(run.code, run.stderr).toBe(3);
    expect(hook.requests).toHaveLength(0);
    const [pending] = await eventsJson(file, 'run.failed');
    expect(pending?.deliveries).toEqual([expect.objectContaining({ status: 'pending', attempts: 0 })]);

    const deliver = await runCli(['events', 'deliver', file], { env: ENV });
    expect(deliver.code, deliver.stdout + deliver.stderr).toBe(0);
    expect(hook.requests.map((r) => r.status)).toEqual([503, 503, 503, 200]);
    expect(hook.requests.every((r) => r.signatureValid)).toBe(true);
    expect(new Set(hook.requests.map((r) => r.headers['x-rapidbyte-event-id']))).toEqual(new Set([pending?.uid]));
    expect(hook.requests[3]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const [body] = hook.delivered();
    expect(body).toMatchObject({
      id: pending?.uid,
      type: 'run.failed',
      pipeline: 'hook_retry',
      runId: pending?.runId,
      data: { status: 'failed' },
    });
    const streams = (
      body?.data as { streams: { stream: string; status: string; error?: { code: string; message: string } }[] }
    ).streams;
    expect(streams.map((s) => [s.stream, s.status, s.error?.code])).toEqual([
      ['public.items', 'failed', 'AUTH_FAILED'],
    ]);
    expect(streams[0]?.error?.message).toMatch(/password authentication failed/);

    const [done] = await eventsJson(file, 'run.failed');
    expect(done?.deliveries).toEqual([expect.objectContaining({ status: 'delivered', attempts: 4, lastStatus: 200 })]);
    // delivered is final: another pass sends nothing
    expect((await runCli(['events', 'deliver', file], { env: ENV })).code).toBe(0);
    expect(hook.requests).toHaveLength(4);
    const dump = stateDbDump(file);
    for (const secret of [SECRET, TOKEN, 'definitely-wrong', '/hooks/rapidbyte']) expect(dump).not.toContain(secret);
    expect(JSON.stringify(await eventsJson(file))).not.toContain('definitely-wrong');
  });

  it('a receiver that never answers does not hold up the run: it exits after --notify-wait and the delivery stays pending', async () => {
    const hook = await receiver({ hangFirst: 100 });
    const file = failingPipeline('hook_hang', hook.url, '    timeout: 60s');
    const cli = spawnCli(['run', '--notify-wait', '2s', file], { env: ENV });
    await waitFor('the run to send its run.failed', async () => (hook.requests.length > 0 ? true : undefined), {
      cli,
      timeoutMs: 120_000,
    });
    const sentAt = Date.now();
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(3);
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    expect(result.stderr).toMatch(
      /could not deliver event \d+ \(run\.failed\) to http:\/\/127\.0\.0\.1:\d+ \(json, [0-9a-f]+\): no answer within \d+ ms/,
    );
    expect(result.stderr).not.toContain(TOKEN);
    const [event] = await eventsJson(file, 'run.failed');
    expect(event?.deliveries).toEqual([expect.objectContaining({ status: 'pending', attempts: 1 })]);
  });

  it('kill -9 while delivering: the claim is taken over once its lease expires and the event is delivered exactly once', async () => {
    const hook = await receiver({ hangFirst: 1 });
    const file = failingPipeline('hook_kill', hook.url, '    timeout: 3s\n    backoff: 10ms');
    const cli = spawnCli(['run', '--notify-wait', '60s', file], { env: ENV });
    await waitFor('the run to send its run.failed', async () => (hook.requests.length > 0 ? true : undefined), {
      cli,
      timeoutMs: 120_000,
    });
    expect((await cli.kill9()).signal).toBe('SIGKILL');
    const [claimed] = await eventsJson(file, 'run.failed');
    // the dead process's claim: pending, never completed
    expect(claimed?.deliveries).toEqual([expect.objectContaining({ status: 'pending', attempts: 0 })]);
    await waitFor(
      'the claim to be taken over and delivered',
      async () => {
        await runCli(['events', 'deliver', '--for', '5s', file], { env: ENV });
        return hook.delivered().length > 0 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect((await runCli(['events', 'deliver', file], { env: ENV })).code).toBe(0);
    expect(hook.delivered()).toHaveLength(1);
    expect(hook.requests.map((r) => r.headers['x-rapidbyte-event-id'])).toEqual([claimed?.uid, claimed?.uid]);
    const [done] = await eventsJson(file, 'run.failed');
    expect(done?.deliveries).toEqual([expect.objectContaining({ status: 'delivered', attempts: 1 })]);
  });

  it('a receiver down for longer than max_age: the delivery is marked dead and listed as such', async () => {
    const down = await receiver();
    const url = down.url;
    await down.close();
    const file = failingPipeline('hook_dead', url, '    backoff: 100ms\n    max_age: 1s');
    expect((await runCli(['run', '--notify-wait', '0', file], { env: ENV })).code).toBe(3);
    const deliver = await runCli(['events', 'deliver', '--for', '5s', file], { env: ENV });
    expect(deliver.code).not.toBe(0);
    expect(deliver.stdout).toMatch(
      /gave up on event \d+ \(run\.failed\) to http:\/\/127\.0\.0\.1:\d+ \(json, [0-9a-f]{16}\): request failed: ECONNREFUSED \(past its max age: marked dead/,
    );
    const [event] = await eventsJson(file, 'run.failed');
    expect(event?.deliveries).toEqual([
      expect.objectContaining({ status: 'dead', lastError: 'request failed: ECONNREFUSED' }),
    ]);
    expect(event?.deliveries[0]?.attempts).toBeGreaterThanOrEqual(1);
  });

  it('notify test sends a signed test event to each target and prints each answer', async () => {
    const ok = await receiver();
    const down = await receiver();
    const downUrl = down.url;
    await down.close();
    const file = failingPipeline(
      'hook_test',
      ok.url,
      `  - url: ${downUrl}\n    secret: "\${WEBHOOK_SECRET}"\n    headers: { X-Api-Key: "\${HOOK_TOKEN}" }`,
    );
    const result = await runCli(['notify', 'test', file], { env: ENV });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/^OK {6}http:\/\/127\.0\.0\.1:\d+ \(json, [0-9a-f]{16}\): HTTP 200: received$/m);
    expect(result.stdout).toMatch(
      /^FAILED {2}http:\/\/127\.0\.0\.1:\d+ \(json, [0-9a-f]{16}\): request failed: ECONNREFUSED$/m,
    );
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
    expect(ok.requests).toHaveLength(1);
    expect(ok.requests[0]?.signatureValid).toBe(true);
    expect(JSON.parse(ok.requests[0]?.body ?? '{}')).toMatchObject({
      type: 'notification.test',
      pipeline: 'hook_test',
    });
  });

  it('events redeliver queues a delivered event again and sends it to the target', async () => {
    const hook = await receiver();
    const file = failingPipeline('hook_redeliver', hook.url, '');
    expect((await runCli(['run', file], { env: ENV })).code).toBe(3);
    expect(hook.delivered()).toHaveLength(1);
    const [event] = await eventsJson(file, 'run.failed');
    const again = await runCli(['events', 'redeliver', String(event?.id), '--pipeline', file], { env: ENV });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/event \d+: 1 delivery queued/);
    expect(hook.delivered().map((b) => b.id)).toEqual([event?.uid, event?.uid]);
  });
});
