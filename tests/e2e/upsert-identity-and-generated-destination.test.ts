// A destination table the user created with a `GENERATED ALWAYS AS IDENTITY` key and a stored
// generated column: every write mode loads it on every run (the identity takes the source's
// values, the generated column is computed at the destination, never written).
import { afterAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  expectTablesEqual,
  pgEndpoint,
  runCli,
  testPg,
  writePipeline,
  type CliResult,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);

afterAll(async () => {
  await cluster.query(
    'postgres',
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active AND slot_name LIKE '%ident%'`,
  );
  await scope.dropAll();
});

const SOURCE_DDL = `CREATE TABLE accounts (
  id int PRIMARY KEY, name text NOT NULL, balance numeric(12,2), total numeric GENERATED ALWAYS AS (balance * 2) STORED)`;
const DEST_DDL = `CREATE TABLE accounts (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, balance numeric(12,2),
  total numeric GENERATED ALWAYS AS (balance * 2) STORED)`;

function pipeline(
  name: string,
  src: TestDatabase,
  dst: TestDatabase,
  syncMode: string,
  writeMode: string,
  extra = '',
): string {
  return writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.accounts, sync_mode: ${syncMode}${extra} }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: ${writeMode}
`);
}

function expectSucceeded(result: CliResult, what: string): void {
  expect(result.code, `${what}\n${result.stdout}\n${result.stderr}`).toBe(0);
}

async function expectEqual(src: TestDatabase, dst: TestDatabase, what: string): Promise<void> {
  await expectTablesEqual(src, 'public.accounts', dst, 'public.accounts', { what });
}

/** The source application's own writes between runs (and proof they still work); an upsert keeps deleted rows. */
async function applicationWrites(src: TestDatabase, run: number, deletes = true): Promise<void> {
  await cluster.psql(
    src.name,
    `INSERT INTO accounts (id, name, balance) VALUES (${1000 + run}, 'new ${run}', ${run});
    UPDATE accounts SET balance = balance + 1, name = name || '+' WHERE id % 10 = ${run};
    ${deletes ? `DELETE FROM accounts WHERE id = ${20 + run};` : ''}`,
  );
}

describe('a destination with an identity ALWAYS key and a generated column', () => {
  for (const [syncMode, writeMode] of [
    ['full_refresh', 'upsert'],
    ['incremental', 'upsert'],
    ['full_refresh', 'replace'],
  ] as const) {
    it(`${syncMode} × ${writeMode} loads it on every run, not only the first (cannot insert a non-DEFAULT value / generated columns cannot be used in COPY)`, async () => {
      const src = await scope.create('ident_src');
      const dst = await scope.create('ident_dst');
      await cluster.psql(
        src.name,
        `${SOURCE_DDL}; INSERT INTO accounts (id, name, balance) SELECT g, 'acct ' || g, g * 1.5 FROM generate_series(1, 300) g;`,
      );
      await cluster.psql(dst.name, DEST_DDL);
      const extra = syncMode === 'incremental' ? ', cursor_field: id' : '';
      const file = pipeline(`ident_${syncMode}_${writeMode}`, src, dst, syncMode, writeMode, extra);
      for (let run = 1; run <= 3; run++) {
        expectSucceeded(await runCli(['run', file]), `run ${run}`);
        if (syncMode !== 'incremental') await expectEqual(src, dst, `run ${run}`);
        // the identity sequence keeps its name and position across a replace
        const seq = await cluster.query(
          dst.name,
          `SELECT pg_get_serial_sequence('public.accounts', 'id') AS name,
          (SELECT last_value::int FROM pg_sequences WHERE schemaname = 'public' AND sequencename = 'accounts_id_seq') AS last`,
        );
        expect(seq.rows[0], `run ${run}`).toEqual({ name: 'public.accounts_id_seq', last: run === 1 ? null : run - 1 });
        await cluster.psql(dst.name, `SELECT nextval('public.accounts_id_seq')`);
        await applicationWrites(src, run, writeMode === 'replace');
      }
      if (syncMode === 'incremental') {
        // an id cursor sees only new rows: compare those the source did not touch after loading
        const r = await cluster.query(
          dst.name,
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE total = balance * 2)::int AS computed FROM accounts`,
        );
        expect(r.rows[0]).toEqual({ n: 302, computed: 302 });
      }
      const column = await cluster.query(
        dst.name,
        `SELECT attidentity, attgenerated FROM pg_attribute WHERE attrelid = 'public.accounts'::regclass AND attname IN ('id', 'total') ORDER BY attname`,
      );
      expect(column.rows).toEqual([
        { attidentity: 'a', attgenerated: '' },
        { attidentity: '', attgenerated: 's' },
      ]);
    });
  }

  it('append into it: the generated column is computed at the destination', async () => {
    const src = await scope.create('ident_app_src');
    const dst = await scope.create('ident_app_dst');
    await cluster.psql(
      src.name,
      `${SOURCE_DDL}; INSERT INTO accounts (id, name, balance) SELECT g, 'acct ' || g, g * 1.5 FROM generate_series(1, 100) g;`,
    );
    await cluster.psql(dst.name, DEST_DDL);
    expectSucceeded(await runCli(['run', pipeline('ident_append', src, dst, 'full_refresh', 'append')]), 'append');
    await expectEqual(src, dst, 'append');
  });

  it('cdc × upsert applies inserts, updates and deletes into it', async () => {
    const src = await scope.create('ident_cdc_src');
    const dst = await scope.create('ident_cdc_dst');
    await cluster.psql(
      src.name,
      `${SOURCE_DDL}; INSERT INTO accounts (id, name, balance) SELECT g, 'acct ' || g, g * 1.5 FROM generate_series(1, 100) g;`,
    );
    await cluster.psql(dst.name, DEST_DDL);
    const file = pipeline('ident_cdc', src, dst, 'cdc', 'upsert');
    expectSucceeded(await runCli(['run', file]), 'snapshot');
    await expectEqual(src, dst, 'snapshot');
    for (let run = 1; run <= 2; run++) {
      await applicationWrites(src, run);
      expectSucceeded(await runCli(['run', file]), `changes ${run}`);
      await expectEqual(src, dst, `changes ${run}`);
    }
  });
});
