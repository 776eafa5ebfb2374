// Two streams that resolve to one destination table: same-named tables in two source schemas
// (`a.items`, `b.items`), and `table_prefix` pushing names past Postgres's 63-byte identifier
// limit (the server cuts them, so two streams share the cut name). Both used to load one table —
// `check` said OK, the run exited 0 and b's rows overwrote a's. Now they are refused before anything
// is written (config error, exit 2), and the cut name is the one the engine uses and logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliOutput,
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

/** `a.items` and `b.items` share ids 1..50 with different names, so an overwrite shows. */
const TWO_SCHEMAS_DDL = `
  CREATE SCHEMA a; CREATE SCHEMA b;
  CREATE TABLE a.items (id int PRIMARY KEY, name text NOT NULL);
  CREATE TABLE b.items (id int PRIMARY KEY, name text NOT NULL);
  INSERT INTO a.items SELECT g, 'a item ' || g FROM generate_series(1, 50) g;
  INSERT INTO b.items SELECT g, 'b item ' || g FROM generate_series(1, 80) g;`;

/** Two source tables of 60 bytes that differ only in their last bytes (a year). */
const LONG_BASE = 'x'.repeat(55);
const LONG_2024 = `${LONG_BASE}_2024`;
const LONG_2025 = `${LONG_BASE}_2025`;
/** 30 two-byte characters: 60 bytes, so a 4-byte prefix makes 64 and the cut must not split a character. */
const WIDE = 'ü'.repeat(30);

function pipeline(o: {
  name: string;
  src: TestDatabase;
  dst: TestDatabase;
  streams: string[];
  dest?: string;
  writeMode?: string;
}): string {
  return writePipeline(`version: "1.0"
pipeline: ${o.name}
source:
  use: source-postgres
  ${pgEndpoint(o.src.url)}
  streams:
${o.streams.map((s) => `    - ${s}`).join('\n')}
destination:
  use: dest-postgres
  ${pgEndpoint(o.dst.url)}
  write_mode: ${o.writeMode ?? 'upsert'}
${o.dest ?? ''}
`);
}

async function tables(db: TestDatabase): Promise<string[]> {
  const r = await cluster.query(
    db.name,
    `SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace ORDER BY relname`,
  );
  return r.rows.map((row) => row.relname as string);
}

async function expectEqual(
  src: TestDatabase,
  srcTable: string,
  dst: TestDatabase,
  dstTable: string,
  rows: number,
): Promise<void> {
  await expectTablesEqual(src, srcTable, dst, dstTable, { rows });
}

/** The source application's own writes still work on its tables after a run. */
async function expectSourceWritable(src: TestDatabase, table: string): Promise<void> {
  await cluster.psql(
    src.name,
    `
    INSERT INTO ${table} (id, name) VALUES (100000, 'app insert');
    UPDATE ${table} SET name = 'app update' WHERE id = 100000;
    DELETE FROM ${table} WHERE id = 100000;`,
  );
  const r = await cluster.query(src.name, `SELECT count(*)::int AS n FROM ${table} WHERE id = 100000`);
  expect(r.rows[0].n).toBe(0);
}

/** Exit 2 with the refusal on stderr; nothing was created at the destination. */
async function expectRefused(result: CliResult, dst: TestDatabase, ...phrases: string[]): Promise<void> {
  expect(result.code, cliOutput(result)).toBe(2);
  for (const p of phrases) expect(result.stderr).toContain(p);
  expect(await tables(dst)).toEqual([]);
}

describe('two streams resolving to one destination table', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;

  beforeAll(async () => {
    src = await databases.create('same_name_src', TWO_SCHEMAS_DDL);
    await cluster.psql(
      src.name,
      `
      CREATE TABLE public."${LONG_2024}" (id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE public."${LONG_2025}" (id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE public."${WIDE}" (id int PRIMARY KEY, name text NOT NULL);
      INSERT INTO public."${LONG_2024}" SELECT g, '2024 #' || g FROM generate_series(1, 30) g;
      INSERT INTO public."${LONG_2025}" SELECT g, '2025 #' || g FROM generate_series(1, 40) g;
      INSERT INTO public."${WIDE}" SELECT g, 'wide #' || g FROM generate_series(1, 20) g;`,
    );
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('same-named tables in two schemas (a.items, b.items) are refused by check and run instead of b overwriting a', async () => {
    const dst = await databases.create('same_name_dst');
    const file = pipeline({
      name: 'same_name_named',
      src,
      dst,
      streams: ['{ name: a.items, sync_mode: full_refresh }', '{ name: b.items, sync_mode: full_refresh }'],
    });
    const phrases = [
      "streams 'a.items' and 'b.items' both load into destination table 'items'",
      'table_prefix',
      'destination_table',
    ];

    const check = await runCli(['check', file]);
    await expectRefused(check, dst, ...phrases);
    expect(check.stdout).toContain('FAILED  config');
    await expectRefused(await runCli(['run', file]), dst, ...phrases);
    await expectSourceWritable(src, 'a.items');
    await expectSourceWritable(src, 'b.items');
  });

  it('a pattern selecting a.items and b.items is refused once expanded (check and run), before anything is written', async () => {
    const dst = await databases.create('same_name_pattern_dst');
    const file = pipeline({
      name: 'same_name_pattern',
      src,
      dst,
      streams: ['{ name: "*.items", sync_mode: full_refresh }'],
    });
    const phrases = ["streams 'a.items' and 'b.items' both load into destination table 'items'", 'table_prefix'];

    await expectRefused(await runCli(['check', file]), dst, ...phrases);
    await expectRefused(await runCli(['run', file]), dst, ...phrases);
    await expectRefused(await runCli(['run', file, '--streams', 'a.items']), dst, ...phrases);
  });

  it('a table_prefix by schema keeps them apart: each destination table equals its source', async () => {
    const dst = await databases.create('same_name_prefix_dst');
    const file = pipeline({
      name: 'same_name_prefix',
      src,
      dst,
      streams: ['{ name: "*.items", sync_mode: full_refresh }'],
      dest: '  table_prefix: { a: a_, b: b_ }',
    });
    const check = await runCli(['check', file]);
    expect(check.code, cliOutput(check)).toBe(0);
    const run = await runCli(['run', file]);
    expect(run.code, cliOutput(run)).toBe(0);
    expect(await tables(dst)).toEqual(['_rb_watermarks', 'a_items', 'b_items']);
    await expectEqual(src, 'a.items', dst, 'public.a_items', 50);
    await expectEqual(src, 'b.items', dst, 'public.b_items', 80);
    await expectSourceWritable(src, 'a.items');
    await expectSourceWritable(src, 'b.items');
  });

  it('the same explicit destination_table with write_mode append is a deliberate union and loads both', async () => {
    // both tables have ids 1..50: a union keeps them all in a table without their primary key
    const dst = await databases.create(
      'same_name_union_dst',
      'CREATE TABLE public.all_items (id int NOT NULL, name text NOT NULL)',
    );
    const file = pipeline({
      name: 'same_name_union',
      src,
      dst,
      writeMode: 'append',
      streams: [
        '{ name: a.items, sync_mode: full_refresh, destination_table: all_items }',
        '{ name: b.items, sync_mode: full_refresh, destination_table: all_items }',
      ],
    });
    const run = await runCli(['run', file]);
    expect(run.code, cliOutput(run)).toBe(0);
    const r = await cluster.query(
      dst.name,
      `SELECT left(name, 1) AS side, count(*)::int AS n FROM public.all_items GROUP BY 1 ORDER BY 1`,
    );
    expect(r.rows).toEqual([
      { side: 'a', n: 50 },
      { side: 'b', n: 80 },
    ]);

    // the same table under upsert is not a union: b's rows would replace a's by key
    const upsert = pipeline({
      name: 'same_name_union_upsert',
      src,
      dst: await databases.create('same_name_union_upsert_dst'),
      streams: [
        '{ name: a.items, sync_mode: full_refresh, destination_table: all_items }',
        '{ name: b.items, sync_mode: full_refresh, destination_table: all_items }',
      ],
    });
    const refused = await runCli(['run', upsert]);
    expect(refused.code, cliOutput(refused)).toBe(2);
    expect(refused.stderr).toContain("streams 'a.items' and 'b.items' both load into destination table 'all_items'");
    expect(refused.stderr).toContain('write_mode append');
  });

  it('a table_prefix pushing two names past 63 bytes onto one cut name is refused, naming the real (cut) table', async () => {
    const dst = await databases.create('long_name_dst');
    const file = pipeline({
      name: 'long_name_collision',
      src,
      dst,
      streams: ['{ name: "public.xxx*", sync_mode: full_refresh }'],
      dest: '  table_prefix: warehouse_',
    });
    const cut = `warehouse_${LONG_BASE}`.slice(0, 63);
    const phrases = [
      `streams 'public.${LONG_2024}' and 'public.${LONG_2025}' both load into destination table '${cut}'`,
      '63 bytes',
    ];
    await expectRefused(await runCli(['check', file]), dst, ...phrases);
    await expectRefused(await runCli(['run', file]), dst, ...phrases);

    // named streams are refused when the file is loaded
    const named = pipeline({
      name: 'long_name_named',
      src,
      dst,
      streams: [
        `{ name: public.${LONG_2024}, sync_mode: full_refresh }`,
        `{ name: public.${LONG_2025}, sync_mode: full_refresh }`,
      ],
      dest: '  table_prefix: warehouse_',
    });
    await expectRefused(await runCli(['check', named]), dst, ...phrases);
  });

  it.each(['upsert', 'replace'])(
    '%s: a name past 63 bytes loads into the table Postgres names (cut on a character boundary), and the log names that table',
    async (writeMode) => {
      const dst = await databases.create(`long_name_one_${writeMode}`);
      const file = pipeline({
        name: `long_name_one_${writeMode}`,
        src,
        dst,
        writeMode,
        streams: [`{ name: public.${WIDE}, sync_mode: full_refresh }`],
        dest: '  table_prefix: pre_',
      });
      const real = `pre_${'ü'.repeat(29)}`; // 62 bytes: the 30th ü would end at byte 64
      for (let round = 0; round < 2; round++) {
        const run = await runCli(['run', file]);
        expect(run.code, cliOutput(run)).toBe(0);
        expect(run.stderr).toContain(`destination table 'pre_${WIDE}' is longer than 63 bytes: loading into '${real}'`);
        expect(await tables(dst)).toEqual(['_rb_watermarks', real]);
        await expectEqual(src, `public.${WIDE}`, dst, `public.${real}`, 20);
      }
      await expectSourceWritable(src, `public."${WIDE}"`);
    },
  );
});
