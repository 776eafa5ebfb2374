// `rapidbyte discover`, `spec` and `connectors`, and stream patterns (`name: shop.*` with
// `exclude:`) plus `destination.table_prefix` end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgEndpoint, runCli, writePipeline } from '../support/run-cli.js';
import { databaseScope } from '../support/database-scope.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';

const cluster = testPg();

interface CatalogJson {
  source: string;
  streams: {
    name: string;
    kind: string;
    columns: { name: string; type: string; nullable: boolean }[];
    primaryKey: string[];
    suggestedCursor?: { column: string; reason: string };
    selected: boolean;
  }[];
}

describe('rapidbyte discover, spec, connectors and stream patterns', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;

  beforeAll(async () => {
    src = await databases.create('discover_src');
    await cluster.loadFixture(src.name, 'demo.sql');
    await cluster.psql(
      src.name,
      `
      CREATE TABLE shop.tmp_scratch (id int PRIMARY KEY);
      CREATE TABLE shop.audit (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL, what text);
      INSERT INTO shop.audit SELECT g, now(), 'x' FROM generate_series(1, 7) g;
      CREATE TABLE sales.orders (id int PRIMARY KEY, total numeric);
      INSERT INTO sales.orders VALUES (1, 9.5), (2, 10);`.replace(
        'CREATE TABLE sales',
        'CREATE SCHEMA sales; CREATE TABLE sales',
      ),
    );
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  const pipeline = (name: string, streams: string, destination: string, dstUrl = src.url): string =>
    writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
${streams}
destination:
  use: dest-postgres
  ${pgEndpoint(dstUrl)}
${destination}
`);

  it('discover lists streams, columns, types, primary keys and a suggested cursor', async () => {
    const file = pipeline(
      'disc',
      '    - { name: "shop.*", exclude: ["shop.tmp_*"], sync_mode: full_refresh }',
      '  write_mode: replace',
    );
    const json = await runCli(['discover', file, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const catalog = JSON.parse(json.stdout) as CatalogJson;
    expect(catalog.source).toBe('source-postgres');
    const byName = new Map(catalog.streams.map((s) => [s.name, s]));
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining(['shop.customers', 'shop.orders', 'shop.audit', 'shop.tmp_scratch', 'sales.orders']),
    );
    const customers = byName.get('shop.customers');
    expect(customers?.kind).toBe('table');
    expect(customers?.primaryKey).toEqual(['id']);
    expect(customers?.columns.slice(0, 2)).toEqual([
      { name: 'id', type: 'bigint', nullable: false },
      { name: 'name', type: 'text', nullable: false },
    ]);
    expect(byName.get('shop.orders')?.columns.find((c) => c.name === 'amount')).toEqual({
      name: 'amount',
      type: 'numeric(12,2)',
      nullable: false,
    });
    expect(byName.get('shop.audit')?.suggestedCursor?.column).toBe('updated_at');
    expect(byName.get('shop.customers')?.suggestedCursor?.column).toBe('id');
    // selection: the pattern minus its exclude
    expect(
      catalog.streams
        .filter((s) => s.selected)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['shop.audit', 'shop.customers', 'shop.orders']);

    const text = await runCli(['discover', file]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^\* shop\.audit \(table\)\s+primary key: id\s+suggested cursor: updated_at$/m);
    expect(text.stdout).toMatch(/^ {2}shop\.tmp_scratch \(table\)/m);
    expect(text.stdout).toMatch(/^\s+amount\s+numeric\(12,2\) not null$/m);
  });

  it('discover against an unreachable source exits 3', async () => {
    const file = writePipeline(`version: "1.0"
pipeline: disc_down
source:
  use: source-postgres
  config: { url: "postgres://nobody:pw@127.0.0.1:1/none" }
  permissions: { network: { allowed_hosts: [127.0.0.1] } }
  streams: [{ name: x, sync_mode: full_refresh }]
destination:
  use: dest-postgres
  config: { url: "postgres://nobody@127.0.0.1:1/none" }
`);
    const result = await runCli(['discover', file]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/discover of source-postgres failed: CONNECTION_FAILED/);
  });

  it('spec prints a connector config JSON Schema; an unknown connector exits 2', async () => {
    const spec = await runCli(['spec', 'dest-postgres']);
    expect(spec.code, spec.stderr).toBe(0);
    const schema = JSON.parse(spec.stdout) as { type: string; properties: Record<string, unknown> };
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['url', 'host', 'schema']));
    const unknown = await runCli(['spec', 'source-nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("connector 'source-nope' not found");
  });

  it('connectors lists name, version, roles and where each is loaded from', async () => {
    const json = await runCli(['connectors', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const list = JSON.parse(json.stdout) as {
      name: string;
      version: string;
      roles: string[];
      dir: string;
      built: boolean;
    }[];
    expect(list.find((c) => c.name === 'source-postgres')).toMatchObject({
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      roles: ['source'],
      built: true,
    });
    expect(list.find((c) => c.name === 'dest-postgres')?.roles).toEqual(['destination']);
    expect(list.find((c) => c.name === 'dest-postgres')?.dir).toMatch(/connectors[/\\]dest-postgres$/);
    const text = await runCli(['connectors']);
    expect(text.stdout).toMatch(/^name\s+version\s+roles\s+built\s+loaded from$/m);
    expect(text.stdout).toMatch(/^source-postgres\s+\d+\.\d+\.\d+\s+source\s+yes\s+\S+source-postgres$/m);
  });

  it('run expands shop.* minus exclude, names tables with table_prefix, and copies every row', async () => {
    const dst = await databases.create('discover_dst');
    const file = pipeline(
      'patterns',
      [
        '    - { name: "shop.*", exclude: ["shop.tmp_*"], sync_mode: full_refresh }',
        '    - { name: "sales.*", sync_mode: full_refresh }',
      ].join('\n'),
      '  write_mode: replace\n  table_prefix: { shop: shop_, sales: sales_ }',
      dst.url,
    );
    const result = await runCli(['run', file, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout) as { streams: { stream: string; rowsWritten: number; status: string }[] };
    expect(run.streams.map((s) => s.stream)).toEqual(['shop.audit', 'shop.customers', 'shop.orders', 'sales.orders']);
    const tables = await cluster.query(
      dst.name,
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '\\_rb%' ORDER BY 1`,
    );
    expect(tables.rows.map((r: { tablename: string }) => r.tablename)).toEqual([
      'sales_orders',
      'shop_audit',
      'shop_customers',
      'shop_orders',
    ]);
    for (const [source, target, rows] of [
      ['shop.customers', 'shop_customers', 1000],
      ['shop.orders', 'shop_orders', 10000],
      ['sales.orders', 'sales_orders', 2],
    ] as const) {
      const diff = await cluster.compareTables(src.url, source, dst.url, `public.${target}`);
      expect(diff.onlyInSource, source).toEqual([]);
      expect(diff.onlyInDestination, source).toEqual([]);
      expect(diff.destinationRows).toBe(rows);
    }
  });

  it('a pattern that selects no table is a config error (exit 2)', async () => {
    const file = pipeline('nomatch', '    - { name: "hr.*", sync_mode: full_refresh }', '  write_mode: replace');
    const result = await runCli(['run', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("pattern 'hr.*' selects no table of source-postgres");
  });
});
