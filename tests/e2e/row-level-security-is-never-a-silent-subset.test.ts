// A source table with row-level security whose policies apply to the pipeline's role used to be
// copied as the subset the policies allowed, reported `succeeded` — and `replace` then dropped the
// other rows at the destination. Now such a table is refused before anything moves, unless the
// pipeline asks for filtered reads (`source.config.row_security: true`, like pg_dump's
// --enable-row-security); reads run with row_security = off so a view over such a table fails too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  expectJson,
  expectSucceeded,
  expectTablesEqual,
  onlyStream,
  parseJson,
  pgPipeline,
  rowCount,
  runCli,
  testPg,
  writePipelineDoc,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);
const PASSWORD = 'rls-pw';

const SOURCE_DDL = `
  CREATE TABLE public.accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL);
  INSERT INTO public.accounts SELECT g, CASE WHEN g % 2 = 0 THEN 'tenant_a' ELSE 'tenant_b' END, g * 10 FROM generate_series(1, 100) g;
  ALTER TABLE public.accounts ENABLE ROW LEVEL SECURITY;
  CREATE POLICY tenant_a_only ON public.accounts USING (owner = 'tenant_a');
  CREATE VIEW public.accounts_v WITH (security_invoker = true) AS SELECT * FROM public.accounts;
`;

describe('row-level security on a source table is never copied as a silent subset', () => {
  let src: TestDatabase;
  let dst: TestDatabase;
  let reader: string;
  let bypasser: string;

  beforeAll(async () => {
    src = await scope.create('rls_src', SOURCE_DDL);
    dst = await scope.create('rls_dst');
    reader = (await cluster.createLoginRole(PASSWORD, { prefix: 'rb_rls_reader', replication: true })).user;
    bypasser = (await cluster.createLoginRole(PASSWORD, { prefix: 'rb_rls_bypass' })).user;
    await cluster.psql(
      src.name,
      `GRANT SELECT ON public.accounts, public.accounts_v TO ${reader}, ${bypasser}; ALTER ROLE ${bypasser} BYPASSRLS;`,
    );
  });
  afterAll(() => scope.dropAll());

  const pipeline = (
    name: string,
    user: string,
    stream: string,
    syncMode: string,
    config: Record<string, unknown> = {},
  ): string => {
    const doc = pgPipeline({
      name,
      src: { url: cluster.url(src.name, user, PASSWORD) },
      dst,
      streams: [{ name: stream, sync_mode: syncMode, ...(syncMode === 'incremental' ? { cursor_field: 'id' } : {}) }],
      writeMode: syncMode === 'full_refresh' ? 'replace' : 'upsert',
      destination: { primary_key: ['id'] },
    });
    Object.assign(doc.source.config, config);
    doc.destination.config.schema = name;
    return writePipelineDoc(doc);
  };

  it('a full refresh as a role the policies apply to fails ROW_SECURITY_FILTERED and leaves the destination as it was', async () => {
    // the destination first holds the whole table, copied by the owner
    expectSucceeded(
      await runCli(['run', '--json', pipeline('rls_fr', cluster.superuser, 'public.accounts', 'full_refresh')]),
    );
    expect(await rowCount(dst, 'rls_fr.accounts')).toBe(100);

    const result = await runCli(['run', '--json', pipeline('rls_fr', reader, 'public.accounts', 'full_refresh')]);
    const run = parseJson(result);
    expect(run.status).toBe('failed');
    const stream = onlyStream(run);
    expect(stream.error?.code).toBe('ROW_SECURITY_FILTERED');
    expect(stream.error?.message).toContain('"public"."accounts"');
    expect(stream.error?.message).toContain(reader);
    expect(stream.error?.message).toContain('row_security: true');
    expect(stream.rowsRead).toBe(0);
    // replace did not swap in the 50 rows tenant_a may see
    await expectTablesEqual(src, 'public.accounts', dst, 'rls_fr.accounts');
  });

  it('incremental and cdc streams are refused the same way, before anything is read or published', async () => {
    for (const syncMode of ['incremental', 'cdc']) {
      const run = parseJson(
        await runCli(['run', '--json', pipeline(`rls_${syncMode}`, reader, 'public.accounts', syncMode)]),
      );
      expect(onlyStream(run).error?.code, syncMode).toBe('ROW_SECURITY_FILTERED');
      expect(onlyStream(run).rowsWritten, syncMode).toBe(0);
    }
    // `check` reports it too
    const check = await runCli(['check', pipeline('rls_check', reader, 'public.accounts', 'full_refresh')]);
    expect(check.code).not.toBe(0);
    expect(check.stdout + check.stderr).toContain('ROW_SECURITY_FILTERED');
  });

  it('a view over such a table fails too: reads run with row_security = off', async () => {
    const run = parseJson(
      await runCli(['run', '--json', pipeline('rls_view', reader, 'public.accounts_v', 'full_refresh')]),
    );
    expect(run.status).toBe('failed');
    expect(onlyStream(run).error?.code).toBe('ROW_SECURITY_FILTERED');
    expect(onlyStream(run).error?.message).toMatch(/row-level security policy for table "accounts"/);
  });

  it('row_security: true copies exactly the rows the policies allow, deliberately', async () => {
    const run = expectSucceeded(
      await runCli([
        'run',
        '--json',
        pipeline('rls_opt_in', reader, 'public.accounts', 'full_refresh', { row_security: true }),
      ]),
    );
    expect(onlyStream(run).rowsWritten).toBe(50);
    // equal to the table as the reader sees it (its policies on), and only tenant_a's rows
    await expectTablesEqual(
      { url: cluster.url(src.name, reader, PASSWORD) },
      'public.accounts',
      dst,
      'rls_opt_in.accounts',
      { rows: 50 },
    );
    expect(await rowCount(dst, 'rls_opt_in.accounts', `owner <> 'tenant_a'`)).toBe(0);
  });

  it('a role with BYPASSRLS copies the whole table', async () => {
    const run = expectJson(
      await runCli(['run', '--json', pipeline('rls_bypass', bypasser, 'public.accounts', 'full_refresh')]),
    );
    expect(run.status).toBe('succeeded');
    await expectTablesEqual(src, 'public.accounts', dst, 'rls_bypass.accounts');
    // the application's own writes on the source still work
    await cluster.query(
      src.name,
      `INSERT INTO public.accounts VALUES (101, 'tenant_a', 1); UPDATE public.accounts SET balance = 0 WHERE id = 1; DELETE FROM public.accounts WHERE id = 101`,
    );
  });
});
