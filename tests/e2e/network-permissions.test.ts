// A connector may reach the hosts its own config names in the fields its manifest declares as
// endpoints (`endpointFields`: source-postgres and dest-postgres declare `url` and `host`), plus
// `permissions.network.allowed_hosts`; `allowed_hosts_only: true` makes that list the only grant.
// Anything else is NETWORK_DENIED, naming the host and the YAML key that grants it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, writePipeline, type CliResult } from '../support/run-cli.js';
import { databaseScope } from '../support/database-scope.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';

const cluster = testPg();
const scope = databaseScope(cluster);
const PROBE = join(REPO_ROOT, 'tests/fixtures/connectors/sandbox-probe');
const PASSWORD = 'n3t-p@ss:w/rd%';

/** Every form the password could leak in: raw, percent-encoded (both ways), base64. */
function expectNoPassword(text: string): void {
  for (const form of [
    PASSWORD,
    encodeURIComponent(PASSWORD),
    encodeURI(PASSWORD),
    Buffer.from(PASSWORD).toString('base64'),
  ]) {
    expect(text.includes(form), `output contains ${form}`).toBe(false);
  }
}

/** The `rapidbyte check` line of the source's item `name` (`OK|FAILED  source <use>: <name> — <message>`). */
function sourceItem(result: CliResult, name: string): { ok: boolean; message: string } {
  const line = result.stdout.split('\n').find((l) => /^(OK|FAILED)\s+source /.test(l) && l.includes(`: ${name} — `));
  expect(line, `no check line for ${name} in:\n${result.stdout}\n${result.stderr}`).toBeDefined();
  const text = line ?? '';
  return { ok: text.startsWith('OK'), message: text.slice(text.indexOf(' — ') + 3) };
}

describe('network permissions default to the hosts of the connector config', () => {
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    src = await scope.create(
      'netperm_src',
      `CREATE TABLE orders (id int PRIMARY KEY, note text, amount numeric(10,2));
      INSERT INTO orders SELECT g, 'order ' || g, g * 1.25 FROM generate_series(1, 300) g;`,
    );
    dst = await scope.create('netperm_dst');
  });
  afterAll(async () => {
    await cluster.query(
      'postgres',
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active AND slot_name LIKE 'rapidbyte_netperm%'`,
    );
    await scope.dropAll();
  });

  it('a pipeline without a permissions block was refused the database hosts of its own urls', async () => {
    const file = writePipeline(`version: "1.0"
pipeline: netperm_defaults
source:
  use: source-postgres
  config: { url: "${src.url}" }
  streams:
    - { name: public.orders, sync_mode: full_refresh }
destination:
  use: dest-postgres
  config: { url: "${dst.url}" }
  write_mode: replace
`);
    const check = await runCli(['check', file]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^OK\s+source source-postgres/m);
    expect(check.stdout).toMatch(/^OK\s+destination dest-postgres/m);

    const run = await runCli(['run', file]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const diff = await cluster.compareTables(src.url, 'public.orders', dst.url, 'public.orders');
    expect(diff.onlyInSource).toEqual([]);
    expect(diff.onlyInDestination).toEqual([]);
    expect(diff).toMatchObject({ sourceRows: 300, destinationRows: 300 });

    // the source application's own writes still work after the run
    await cluster.query(src.name, `INSERT INTO orders VALUES (301, 'late', 9.99)`);
    await cluster.query(src.name, `UPDATE orders SET note = 'changed' WHERE id = 1`);
    await cluster.query(src.name, `DELETE FROM orders WHERE id = 2`);
    const { rows } = await cluster.query(
      src.name,
      `SELECT count(*)::int AS n, bool_or(note = 'changed') AS changed FROM orders`,
    );
    expect(rows[0]).toEqual({ n: 300, changed: true });
  });

  it('cdc and sharded full refresh without a permissions block were refused the host of the source url (replication connection, shard coordinator)', async () => {
    const cdcSrc = await scope.create(
      'netperm_cdc_src',
      `CREATE TABLE events (id int PRIMARY KEY, kind text);
      INSERT INTO events SELECT g, 'k' || g FROM generate_series(1, 200) g;
      CREATE TABLE big (id int PRIMARY KEY, v text);
      INSERT INTO big SELECT g, repeat('x', 50) FROM generate_series(1, 5000) g;`,
    );
    const cdcDst = await scope.create('netperm_cdc_dst');
    const file = writePipeline(`version: "1.0"
pipeline: netperm_cdc
source:
  use: source-postgres
  config: { url: "${cdcSrc.url}" }
  streams:
    - { name: public.events, sync_mode: cdc }
    - { name: public.big, sync_mode: full_refresh, shards: 2 }
destination:
  use: dest-postgres
  config: { url: "${cdcDst.url}" }
  write_mode: upsert
`);
    const first = await runCli(['run', file]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await cluster.query(
      cdcSrc.name,
      `INSERT INTO events VALUES (201, 'late'); UPDATE events SET kind = 'changed' WHERE id = 1; DELETE FROM events WHERE id = 2`,
    );
    const second = await runCli(['run', file]);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    for (const table of ['public.events', 'public.big']) {
      const diff = await cluster.compareTables(cdcSrc.url, table, cdcDst.url, table);
      expect(diff.onlyInSource, table).toEqual([]);
      expect(diff.onlyInDestination, table).toEqual([]);
    }
  });

  it('a guest reaching a host outside its config was refused without naming the YAML key that grants it', async () => {
    const user = (await cluster.createLoginRole(PASSWORD, { prefix: 'rb_netperm' })).user;
    const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${cluster.port}/${src.name}`;
    const probe = (host: string, permissions = ''): string =>
      writePipeline(`version: "1.0"
pipeline: netperm_probe
source:
  use: ${JSON.stringify(PROBE)}
  config: { url: "${url}", host: ${host}, port: ${cluster.port} }
${permissions}  streams:
    - { name: public.nothing, sync_mode: full_refresh }
destination:
  use: dest-postgres
  config: { url: "${dst.url}" }
  write_mode: append
`);

    // the host of the probe's endpoint field (`url`) needs no grant
    const same = await runCli(['check', probe('127.0.0.1')]);
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(sourceItem(same, 'net')).toEqual({ ok: true, message: `connected to 127.0.0.1:${cluster.port}` });

    // any other host is refused, with the key to add
    const denied = await runCli(['check', probe('localhost')]);
    expect(denied.code).toBe(3);
    const item = sourceItem(denied, 'net');
    expect(item.ok).toBe(false);
    expect(item.message).toMatch(/^NETWORK_DENIED: /);
    expect(item.message).toContain(`localhost:${cluster.port}`);
    expect(item.message).toContain('source.permissions.network.allowed_hosts');
    expect(item.message).toContain('allowed_hosts: [localhost]');
    // it says what is granted (the url's host, by field) but never the URL's password
    expect(item.message).toContain('127.0.0.1');
    expectNoPassword(denied.stdout + denied.stderr);

    // the suggested key grants it, on top of the url's host
    const granted = await runCli([
      'check',
      probe('localhost', '  permissions: { network: { allowed_hosts: [localhost] } }\n'),
    ]);
    expect(granted.code, granted.stdout + granted.stderr).toBe(0);
    expect(sourceItem(granted, 'net')).toEqual({ ok: true, message: `connected to localhost:${cluster.port}` });
  });

  it('allowed_hosts keeps adding to the config hosts, and allowed_hosts_only: true makes it the only grant', async () => {
    const pipeline = (name: string, permissions: string, target: TestDatabase): string =>
      writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  config: { url: "${src.url}" }
  permissions: ${permissions}
  streams:
    - { name: public.orders, sync_mode: full_refresh }
destination:
  use: dest-postgres
  config: { url: "${target.url}" }
  permissions: { network: { allowed_hosts: [127.0.0.1] } }
  write_mode: replace
`);
    // an existing pipeline listing another host still reaches its url's host
    const addedDst = await scope.create('netperm_added');
    const added = await runCli([
      'run',
      pipeline('netperm_added', '{ network: { allowed_hosts: [10.0.0.1] } }', addedDst),
    ]);
    expect(added.code, added.stdout + added.stderr).toBe(0);
    const diff = await cluster.compareTables(src.url, 'public.orders', addedDst.url, 'public.orders');
    expect(diff.onlyInSource).toEqual([]);
    expect(diff.onlyInDestination).toEqual([]);

    const onlyDst = await scope.create('netperm_only');
    const only = await runCli([
      'run',
      pipeline('netperm_only', '{ network: { allowed_hosts: [10.0.0.1], allowed_hosts_only: true } }', onlyDst),
    ]);
    expect(only.code).toBe(3);
    const output = only.stdout + only.stderr;
    expect(output).toContain('NETWORK_DENIED');
    expect(output).toContain('127.0.0.1');
    expect(output).toContain('allowed_hosts_only');
    expect(output).toContain('source.permissions.network.allowed_hosts');
    expect((await cluster.query(onlyDst.name, `SELECT to_regclass('public.orders') AS t`)).rows[0].t).toBeNull();
  });
});
