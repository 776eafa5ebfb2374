// Schema evolution at the destination (see docs/architecture.md#schema-evolution): `destination.schema_evolution` and
// `streams[].schema_evolution`, compared when a stream starts. One test per policy value on a
// full_refresh stream: load, change the source table, load again, assert the outcome.
import { afterAll, describe, expect, it } from 'vitest';
import {
  cliOutput,
  databaseScope,
  expectSucceeded,
  expectTablesEqual,
  parseJson,
  pgEndpoint,
  runCli,
  testPg,
  writePipeline,
  type CliResult,
  type StreamJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const TABLE = 'public.items';

/** Full-refresh upsert of public.items with `evolution` as the destination's policy (or the stream's, with `perStream`). */
function pipelineFile(
  src: TestDatabase,
  dst: TestDatabase,
  evolution: string,
  options: { perStream?: boolean; writeMode?: string } = {},
): string {
  const streamPolicy = options.perStream ? `, schema_evolution: ${evolution}` : '';
  return writePipeline(`version: "1.0"
pipeline: schema_evolution
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: ${TABLE}, sync_mode: full_refresh${streamPolicy} }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: ${options.writeMode ?? 'upsert'}
  primary_key: [id]
${options.perStream ? '  schema_evolution: { nullability_change: allow }' : `  schema_evolution: ${evolution}`}
`);
}

function run(file: string): Promise<CliResult> {
  return runCli(['run', '--json', file]);
}

/** Asserts the run succeeded; returns the schema changes its one stream lists. */
function succeeded(result: CliResult): string[] {
  return (expectSucceeded(result).streams[0] as StreamJson).schemaChanges ?? [];
}

/** The failed stream's error. */
function failed(result: CliResult): { code: string; message: string } {
  expect(result.code, cliOutput(result)).not.toBe(0);
  const error = parseJson(result).streams[0]?.error;
  expect(error).toBeDefined();
  return error as { code: string; message: string };
}

/** name -> [format_type, nullable] of the destination table's columns. */
async function columns(db: TestDatabase): Promise<Record<string, [string, boolean]>> {
  const r = await cluster.query(
    db.name,
    `SELECT attname::text AS name, format_type(atttypid, atttypmod) AS type, NOT attnotnull AS nullable
     FROM pg_attribute WHERE attrelid = '${TABLE}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
  );
  return Object.fromEntries(r.rows.map((row) => [row.name as string, [row.type as string, row.nullable as boolean]]));
}

async function rows(db: TestDatabase, select: string): Promise<unknown[][]> {
  const r = await cluster.query(db.name, `SELECT ${select} FROM ${TABLE} ORDER BY id`);
  return r.rows.map((row) => Object.values(row));
}

async function expectEqual(src: TestDatabase, dst: TestDatabase, cols?: string[]): Promise<void> {
  await expectTablesEqual(src, TABLE, dst, TABLE, { columns: cols });
}

describe('schema_evolution on full_refresh', () => {
  const databases = databaseScope(cluster);
  afterAll(async () => {
    await databases.dropAll();
  });

  /** A source with items(id, name, qty int4, note text NOT NULL) and 3 rows, an empty destination, and the first load done. */
  async function loaded(
    prefix: string,
    evolution: string,
    options: { perStream?: boolean; writeMode?: string; ddl?: string } = {},
  ) {
    const src = await databases.create(
      `${prefix}_src`,
      options.ddl ??
        `CREATE TABLE ${TABLE} (id int PRIMARY KEY, name text, qty int4, note text NOT NULL);
         INSERT INTO ${TABLE} VALUES (1, 'a', 10, 'x'), (2, 'b', 20, 'y'), (3, 'c', 2000000000, 'z');`,
    );
    const dst = await databases.create(`${prefix}_dst`);
    const file = pipelineFile(src, dst, evolution, options);
    succeeded(await run(file));
    return { src, dst, file };
  }

  it('new_column: add — ALTER TABLE ADD COLUMN with the source type; the reload fills it', async () => {
    const { src, dst, file } = await loaded('nc_add', '{ new_column: add }');
    await cluster.psql(
      src.name,
      `ALTER TABLE ${TABLE} ADD COLUMN price numeric(10,2); UPDATE ${TABLE} SET price = id * 1.5;`,
    );
    expect(succeeded(await run(file))).toEqual(['new_column "price" (numeric(10,2)): add']);
    expect((await columns(dst)).price).toEqual(['numeric(10,2)', true]);
    await expectEqual(src, dst);
  });

  it('new_column: ignore — the column is not created nor written', async () => {
    const { src, dst, file } = await loaded('nc_ignore', '{ new_column: ignore }');
    await cluster.psql(
      src.name,
      `ALTER TABLE ${TABLE} ADD COLUMN price numeric(10,2) DEFAULT 1; INSERT INTO ${TABLE} VALUES (4, 'd', 40, 'w', 9);`,
    );
    succeeded(await run(file));
    expect(Object.keys(await columns(dst))).toEqual(['id', 'name', 'qty', 'note']);
    await expectEqual(src, dst, ['id', 'name', 'qty', 'note']);
  });

  it('new_column: fail — the stream fails naming the column, the table is unchanged', async () => {
    const { src, dst, file } = await loaded('nc_fail', '{ new_column: fail }');
    await cluster.psql(src.name, `ALTER TABLE ${TABLE} ADD COLUMN price numeric(10,2)`);
    const error = failed(await run(file));
    expect(error.code).toBe('SCHEMA_CHANGE_REFUSED');
    expect(error.message).toContain('"price"');
    expect(Object.keys(await columns(dst))).toEqual(['id', 'name', 'qty', 'note']);
  });

  it('removed_column: ignore — the column is kept; new rows get NULL (its NOT NULL dropped)', async () => {
    const { src, dst, file } = await loaded('rc_ignore', '{ removed_column: ignore }');
    await cluster.psql(src.name, `ALTER TABLE ${TABLE} DROP COLUMN note; INSERT INTO ${TABLE} VALUES (4, 'd', 40);`);
    succeeded(await run(file));
    expect((await columns(dst)).note).toEqual(['text', true]);
    expect(await rows(dst, 'id, note')).toEqual([
      [1, 'x'],
      [2, 'y'],
      [3, 'z'],
      [4, null],
    ]);
    await expectEqual(src, dst, ['id', 'name', 'qty']);
  });

  it('removed_column: fail — the stream fails naming the column', async () => {
    const { src, file } = await loaded('rc_fail', '{ removed_column: fail }');
    await cluster.psql(src.name, `ALTER TABLE ${TABLE} DROP COLUMN name`);
    const error = failed(await run(file));
    expect(error.code).toBe('SCHEMA_CHANGE_REFUSED');
    expect(error.message).toContain('"name"');
  });

  it('type_change: coerce — int4 -> int8 with ALTER ... TYPE ... USING, values kept and widened', async () => {
    const { src, dst, file } = await loaded('tc_coerce', '{ type_change: coerce }');
    await cluster.psql(
      src.name,
      `ALTER TABLE ${TABLE} ALTER COLUMN qty TYPE int8; INSERT INTO ${TABLE} VALUES (4, 'd', 9000000000, 'w');`,
    );
    expect(succeeded(await run(file))).toEqual(['type_change "qty" integer -> bigint: coerce']);
    expect((await columns(dst)).qty).toEqual(['bigint', true]);
    await expectEqual(src, dst);
  });

  it('type_change: coerce — text -> int: castable values are cast, a non-castable one fails the stream naming it', async () => {
    const ddl = `CREATE TABLE ${TABLE} (id int PRIMARY KEY, code text);`;
    const ok = await loaded('tc_cast_ok', '{ type_change: coerce }', {
      ddl: `${ddl} INSERT INTO ${TABLE} VALUES (1, '10'), (2, ' 20 ');`,
    });
    await cluster.psql(ok.src.name, `ALTER TABLE ${TABLE} ALTER COLUMN code TYPE int USING code::int`);
    succeeded(await run(ok.file));
    expect((await columns(ok.dst)).code).toEqual(['integer', true]);
    await expectEqual(ok.src, ok.dst);

    // append keeps the rows of the first load, so the destination still holds 'abc' when the type changes
    const bad = await loaded('tc_cast_bad', '{ type_change: coerce }', {
      writeMode: 'append',
      ddl: `${ddl} INSERT INTO ${TABLE} VALUES (1, '10'), (2, 'abc');`,
    });
    await cluster.psql(
      bad.src.name,
      `UPDATE ${TABLE} SET code = '2' WHERE id = 2; ALTER TABLE ${TABLE} ALTER COLUMN code TYPE int USING code::int`,
    );
    const error = failed(await run(bad.file));
    expect(error.code).toBe('CAST_FAILED');
    expect(error.message).toContain('"code"');
    expect(error.message).toContain('abc');
    expect((await columns(bad.dst)).code).toEqual(['text', true]);
  });

  it('type_change: null — the column keeps its type and is written NULL', async () => {
    const { src, dst, file } = await loaded('tc_null', '{ type_change: null }');
    await cluster.psql(src.name, `ALTER TABLE ${TABLE} ALTER COLUMN qty TYPE text USING 'q' || qty`);
    expect(succeeded(await run(file))).toEqual(['type_change "qty" integer -> text: null, 3 rows written NULL']);
    expect((await columns(dst)).qty).toEqual(['integer', true]);
    expect(await rows(dst, 'id, qty')).toEqual([
      [1, null],
      [2, null],
      [3, null],
    ]);
    await expectEqual(src, dst, ['id', 'name', 'note']);
  });

  it('type_change: fail — the stream fails naming the column and both types', async () => {
    const { src, dst, file } = await loaded('tc_fail', '{ type_change: fail }');
    await cluster.psql(src.name, `ALTER TABLE ${TABLE} ALTER COLUMN qty TYPE int8`);
    const error = failed(await run(file));
    expect(error.code).toBe('SCHEMA_CHANGE_REFUSED');
    expect(error.message).toMatch(/"qty" changed type from integer to bigint/);
    expect((await columns(dst)).qty).toEqual(['integer', true]);
  });

  it('nullability_change: allow — a source column that drops NOT NULL drops it at the destination; NULLs load', async () => {
    const { src, dst, file } = await loaded('nn_allow', '{ nullability_change: allow }');
    expect((await columns(dst)).note).toEqual(['text', false]);
    await cluster.psql(
      src.name,
      `ALTER TABLE ${TABLE} ALTER COLUMN note DROP NOT NULL; INSERT INTO ${TABLE} VALUES (4, 'd', 40, NULL);`,
    );
    succeeded(await run(file));
    expect((await columns(dst)).note).toEqual(['text', true]);
    await expectEqual(src, dst);
  });

  it('nullability_change: fail (per stream, over the destination) — fails naming the column; SET NOT NULL at the source is no change', async () => {
    const { src, dst, file } = await loaded('nn_fail', '{ nullability_change: fail }', { perStream: true });
    await cluster.psql(src.name, `ALTER TABLE ${TABLE} ALTER COLUMN name SET NOT NULL`);
    succeeded(await run(file)); // the destination already accepts everything the source sends
    await cluster.psql(src.name, `ALTER TABLE ${TABLE} ALTER COLUMN note DROP NOT NULL`);
    const error = failed(await run(file));
    expect(error.code).toBe('SCHEMA_CHANGE_REFUSED');
    expect(error.message).toContain('"note"');
    expect((await columns(dst)).note).toEqual(['text', false]);
  });

  it('replace: the new table has the new shape; a fail policy still compares with the old table', async () => {
    const { src, dst, file } = await loaded('replace_add', '{ new_column: add, type_change: coerce }', {
      writeMode: 'replace',
    });
    await cluster.psql(
      src.name,
      `ALTER TABLE ${TABLE} ADD COLUMN price numeric(10,2); ALTER TABLE ${TABLE} ALTER COLUMN qty TYPE int8; UPDATE ${TABLE} SET price = id;`,
    );
    succeeded(await run(file));
    expect(await columns(dst)).toMatchObject({ qty: ['bigint', true], price: ['numeric(10,2)', true] });
    await expectEqual(src, dst);

    const strict = await loaded('replace_fail', '{ new_column: fail }', { writeMode: 'replace' });
    await cluster.psql(strict.src.name, `ALTER TABLE ${TABLE} ADD COLUMN price numeric(10,2)`);
    expect(failed(await run(strict.file)).message).toContain('"price"');
    expect(Object.keys(await columns(strict.dst))).toEqual(['id', 'name', 'qty', 'note']);
  });
});
