// Deferred index builds (dest-postgres `defer_indexes`, on by default): replace's staging table and a
// table an append run creates are loaded as bare heaps and get their primary key (and, for replace,
// every other index) built once at the end. The guarantees stay: a kill -9 mid-load and a rerun end
// equal to the source with the key under its expected name and no duplicate; rows that repeat the key
// fail the stream with DUPLICATE_KEY naming the stream and the key, and nothing is swapped in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIG_COLUMNS_DDL,
  databaseScope,
  duplicateKeys,
  editPipeline,
  expectTablesEqual,
  pacedTableDdl,
  parseJson,
  pgPipeline,
  rowCount,
  runCli,
  shuffledBigTableSql,
  spawnCli,
  testPg,
  waitFor,
  writePipelineDoc,
  type CliResult,
  type StreamDoc,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const ROWS = 200_000;
const CHUNK = 20_000;
const TABLE = 'public.big';

/**
 * Destination DDL: when a run creates public.big, an event trigger gives it a CHECK constraint that
 * sleeps 0.1 s every 5,000 ids, so each chunk of 20,000 rows takes >= 0.4 s to commit and "after the
 * first commit and before the end" is a window of seconds, not a race.
 */
const PACE_CREATED_TABLE = `
  CREATE FUNCTION public.rb_test_pace(id bigint) RETURNS boolean LANGUAGE plpgsql AS $$
  BEGIN
    IF id % 5000 = 0 THEN PERFORM pg_sleep(0.1); END IF;
    RETURN true;
  END $$;
  CREATE FUNCTION public.rb_test_pace_created() RETURNS event_trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands()
                WHERE command_tag = 'CREATE TABLE' AND object_identity = 'public.big') THEN
      ALTER TABLE public.big ADD CONSTRAINT paced CHECK (public.rb_test_pace(id));
    END IF;
  END $$;
  CREATE EVENT TRIGGER rb_test_pace_created ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
    EXECUTE FUNCTION public.rb_test_pace_created();`;

function pipelineFile(o: {
  name: string;
  src: TestDatabase;
  dst: TestDatabase;
  writeMode: string;
  stream: StreamDoc;
  config?: Record<string, unknown>;
}): string {
  const doc = pgPipeline({
    name: o.name,
    src: o.src,
    dst: o.dst,
    streams: [{ sync_mode: 'full_refresh', ...o.stream }],
    writeMode: o.writeMode,
    resources: { checkpoint_interval_rows: CHUNK, batch_rows: 5000 },
  });
  Object.assign(doc.destination.config, o.config ?? {});
  return writePipelineDoc(doc);
}

function succeeded(result: CliResult): void {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  expect(parseJson(result).status).toBe('succeeded');
}

/** Names of the primary key constraint of `table` ([] when it has none). */
async function primaryKeyNames(db: TestDatabase, table: string): Promise<string[]> {
  const r = await cluster.query(
    db.name,
    `SELECT conname FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'p'`,
    [table],
  );
  return r.rows.map((row: { conname: string }) => row.conname);
}

/** (index name, valid, comment) of every index of `table`, by name. */
async function indexes(db: TestDatabase, table: string): Promise<[string, boolean, string | null][]> {
  const r = await cluster.query(
    db.name,
    `SELECT c.relname, i.indisvalid, obj_description(c.oid, 'pg_class') AS comment
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = to_regclass($1) ORDER BY c.relname`,
    [table],
  );
  return r.rows.map((row: { relname: string; indisvalid: boolean; comment: string | null }) => [
    row.relname,
    row.indisvalid,
    row.comment,
  ]);
}

async function tableComment(db: TestDatabase, table: string): Promise<string | null> {
  const r = await cluster.query(db.name, `SELECT obj_description(to_regclass($1), 'pg_class') AS c`, [table]);
  return (r.rows[0] as { c: string | null }).c;
}

async function stagingTables(db: TestDatabase): Promise<string[]> {
  const r = await cluster.query(db.name, `SELECT relname FROM pg_class WHERE relname LIKE '%\\_\\_rb\\_stage%'`);
  return r.rows.map((row: { relname: string }) => row.relname);
}

/** Rows the run's destination COPY has processed so far (0 when none is running). */
async function copiedRows(db: TestDatabase, pipeline: string): Promise<number> {
  const r = await cluster.query(
    'postgres',
    `SELECT coalesce(max(p.tuples_processed), 0)::int8::text AS n
       FROM pg_stat_progress_copy p JOIN pg_stat_activity a ON a.pid = p.pid
      WHERE a.datname = $1 AND a.application_name = $2 AND p.command = 'COPY FROM'`,
    [db.name, `rapidbyte/${pipeline}`],
  );
  return Number((r.rows[0] as { n: string }).n);
}

async function waitBackendsGone(dbs: TestDatabase[], pipeline: string): Promise<void> {
  for (const db of dbs) {
    await waitFor(
      `the backends of ${pipeline} in ${db.name} to end`,
      async () => {
        const r = await cluster.query(
          'postgres',
          `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND backend_type = 'client backend'`,
          [db.name, `rapidbyte/${pipeline}`],
        );
        return r.rows.length === 0 ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
  }
}

describe('deferred index builds', () => {
  let src: TestDatabase;
  const databases = databaseScope(cluster);

  beforeAll(async () => {
    src = await databases.create('dfx_src');
    await cluster.psql(
      src.name,
      `${shuffledBigTableSql(TABLE, ROWS)}
      -- no primary key; the configured one repeats (id 2 twice)
      CREATE TABLE public.dups (id bigint NOT NULL, v text);
      INSERT INTO public.dups VALUES (1, 'a'), (2, 'b'), (3, 'c'), (2, 'again');`,
    );
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('replace killed -9 mid-load: the rerun ends equal, the key and the index keep their names and comments, no duplicates', async () => {
    const name = 'dfx_kill_replace';
    const dst = await databases.create(
      name,
      `${pacedTableDdl(TABLE, BIG_COLUMNS_DDL, ', CONSTRAINT big_custom_pk PRIMARY KEY (id)')}
      CREATE INDEX big_hash_idx ON ${TABLE} (hash);
      COMMENT ON INDEX public.big_hash_idx IS 'by hash';
      INSERT INTO ${TABLE} VALUES (1, 0, 'old', 0, '2000-01-01'), (2, 0, 'old', 0, '2000-01-01');`,
    );
    const file = pipelineFile({ name, src, dst, writeMode: 'replace', stream: { name: TABLE } });

    const cli = spawnCli(['run', '--json', file]);
    await waitFor(
      'the staging COPY past its first chunk',
      async () => ((await copiedRows(dst, name)) > CHUNK ? true : undefined),
      {
        cli,
      },
    );
    expect(cli.result()).toBeUndefined();
    await cli.kill9();
    await waitBackendsGone([src, dst], name);
    expect(await rowCount(dst, TABLE)).toBe(2); // nothing swapped
    expect(await stagingTables(dst)).toEqual([]); // the load transaction rolled back, its table with it

    const rerun = await runCli(['run', '--json', file]);
    succeeded(rerun);
    await expectTablesEqual(src, TABLE, dst, TABLE, { rows: ROWS });
    expect(await duplicateKeys(dst, TABLE)).toEqual([]);
    expect(await primaryKeyNames(dst, TABLE)).toEqual(['big_custom_pk']);
    expect(await indexes(dst, TABLE)).toEqual([
      ['big_custom_pk', true, null],
      ['big_hash_idx', true, 'by hash'],
    ]);
    expect(await stagingTables(dst)).toEqual([]);
  });

  it('replace into a missing table: the key built after the load is named after the table', async () => {
    const name = 'dfx_new_replace';
    const dst = await databases.create(name);
    const file = pipelineFile({ name, src, dst, writeMode: 'replace', stream: { name: TABLE } });
    succeeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, TABLE, dst, TABLE, { rows: ROWS });
    expect(await primaryKeyNames(dst, TABLE)).toEqual(['big_pkey']);
    expect(await indexes(dst, TABLE)).toEqual([['big_pkey', true, null]]);
  });

  it.each([
    {
      target: 'an existing table',
      ddl: 'CREATE TABLE public.dups (id bigint PRIMARY KEY, v text); INSERT INTO public.dups VALUES (10, $$old$$);',
    },
    { target: 'a missing table', ddl: undefined },
  ])(
    'replace into $target of a source whose primary_key repeats: DUPLICATE_KEY naming the stream and the key, nothing swapped',
    async ({ ddl }) => {
      const name = `dfx_dups_${ddl ? 'existing' : 'missing'}`;
      const dst = await databases.create(name, ddl);
      const stream = { name: 'public.dups', primary_key: ['id'] };
      const file = pipelineFile({ name, src, dst, writeMode: 'replace', stream });
      const failed = await runCli(['run', '--json', file]);
      expect(failed.code, `${failed.stdout}\n${failed.stderr}`).not.toBe(0);
      const error = (parseJson(failed).streams[0] as { error?: { code: string; message: string } }).error;
      expect(error?.code).toBe('DUPLICATE_KEY');
      expect(error?.message).toMatch(
        /^public\.dups: the rows loaded into "public"\."dups" repeat a value of its primary key \(id\)/,
      );
      expect(error?.message).toMatch(/Key \(id\)=\(2\) is duplicated/);
      if (ddl) {
        expect(await cluster.query(dst.name, 'SELECT id, v FROM public.dups').then((r) => r.rows)).toEqual([
          { id: '10', v: 'old' },
        ]);
      } else {
        expect(await primaryKeyNames(dst, 'public.dups')).toEqual([]);
        expect((await cluster.query(dst.name, `SELECT to_regclass('public.dups') AS t`)).rows).toEqual([{ t: null }]);
      }
      expect(await stagingTables(dst)).toEqual([]);

      // with the indexes kept while loading, the duplicate fails the COPY itself: not this code
      const kept = pipelineFile({ name, src, dst, writeMode: 'replace', stream, config: { defer_indexes: false } });
      const plain = await runCli(['run', '--json', kept]);
      expect(plain.code).not.toBe(0);
      const other = (parseJson(plain).streams[0] as { error?: { code: string; message: string } }).error;
      expect(other?.code).not.toBe('DUPLICATE_KEY');
      expect(other?.message).toMatch(/duplicate key/);
    },
  );

  it('append into a missing table of a source whose primary_key repeats: DUPLICATE_KEY at the end, the committed rows stay and the key stays owed', async () => {
    const name = 'dfx_dups_append';
    const dst = await databases.create(name);
    const file = pipelineFile({
      name,
      src,
      dst,
      writeMode: 'append',
      stream: { name: 'public.dups', primary_key: ['id'] },
    });
    const failed = await runCli(['run', '--json', file]);
    expect(failed.code, `${failed.stdout}\n${failed.stderr}`).not.toBe(0);
    const error = (parseJson(failed).streams[0] as { error?: { code: string; message: string } }).error;
    expect(error?.code).toBe('DUPLICATE_KEY');
    expect(error?.message).toMatch(
      /^public\.dups: the rows loaded into "public"\."dups" repeat a value of its primary key \(id\)/,
    );
    expect(error?.message).toMatch(/Key \(id\)=\(2\) is duplicated/);
    expect(error?.message).toMatch(/the rows stay in "public"\."dups" without it until a run builds it/);
    expect(await rowCount(dst, 'public.dups')).toBe(4);
    expect(await primaryKeyNames(dst, 'public.dups')).toEqual([]);
    expect(await tableComment(dst, 'public.dups')).toMatch(/^rapidbyte: primary key pending/);
  });

  it.each(['append', 'upsert'])(
    '%s into a missing table: loaded without its key, killed -9, the rerun builds the key once: equal, named after the table, no duplicates',
    async (writeMode) => {
      const name = `dfx_kill_${writeMode}`;
      const dst = await databases.create(name, PACE_CREATED_TABLE);
      // upsert into a missing table from a source keyed the same way loads with COPY (upsert-first-load.ts);
      // its rerun finds rows and merges, which needs the key first
      const file = pipelineFile({ name, src, dst, writeMode, stream: { name: TABLE } });

      const cli = spawnCli(['run', '--json', file]);
      const seen = await waitFor(
        'a committed chunk at the destination',
        async () => {
          const exists = await cluster.query(dst.name, `SELECT to_regclass('public.big') IS NOT NULL AS e`);
          if (!(exists.rows[0] as { e: boolean }).e) return undefined;
          const n = await rowCount(dst, TABLE);
          return n >= CHUNK ? n : undefined;
        },
        { cli },
      );
      expect(seen).toBeLessThan(ROWS);
      // the committed part has no key yet; the table says it is owed
      expect(await primaryKeyNames(dst, TABLE)).toEqual([]);
      expect(await tableComment(dst, TABLE)).toMatch(/^rapidbyte: primary key pending/);
      await cli.kill9();
      await waitBackendsGone([src, dst], name);
      const committed = await rowCount(dst, TABLE);
      expect(committed).toBeLessThan(ROWS);
      expect(await primaryKeyNames(dst, TABLE)).toEqual([]);

      const rerun = await runCli(['run', '--json', file]);
      succeeded(rerun);
      await expectTablesEqual(src, TABLE, dst, TABLE, { rows: ROWS });
      expect(await duplicateKeys(dst, TABLE)).toEqual([]);
      expect(await primaryKeyNames(dst, TABLE)).toEqual(['big_pkey']);
      expect(await indexes(dst, TABLE)).toEqual([['big_pkey', true, null]]);
      expect(await tableComment(dst, TABLE)).toBeNull();
    },
  );

  it('replace of a table an append run left without its key: the new table has the key, and owes nothing', async () => {
    const name = 'dfx_append_then_replace';
    const dst = await databases.create(name, PACE_CREATED_TABLE);
    const file = pipelineFile({ name, src, dst, writeMode: 'append', stream: { name: TABLE } });
    const cli = spawnCli(['run', '--json', file]);
    await waitFor(
      'a committed chunk at the destination',
      async () => {
        const exists = await cluster.query(dst.name, `SELECT to_regclass('public.big') IS NOT NULL AS e`);
        if (!(exists.rows[0] as { e: boolean }).e) return undefined;
        return (await rowCount(dst, TABLE)) >= CHUNK ? true : undefined;
      },
      { cli },
    );
    await cli.kill9();
    await waitBackendsGone([src, dst], name);
    expect(await primaryKeyNames(dst, TABLE)).toEqual([]);

    editPipeline(file, (doc) => {
      doc.destination.write_mode = 'replace';
    });
    succeeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, TABLE, dst, TABLE, { rows: ROWS });
    expect(await primaryKeyNames(dst, TABLE)).toEqual(['big_pkey']);
    expect(await tableComment(dst, TABLE)).toBeNull();
  });
});
