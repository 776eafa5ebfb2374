// Schema evolution on CDC streams (see docs/architecture.md#schema-evolution): the source table changes shape while a CDC
// stream follows it; pgoutput announces the new shape in a Relation message before the next
// change of the table, the stream's frames take the new columns, and the destination applies
// `schema_evolution`. Each test: snapshot run, DDL + changes at the source, one more run.
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
const scope = databaseScope(cluster);
afterAll(async () => {
  await scope.dropAll();
});

const SOURCE = `CREATE TABLE public.items (id int PRIMARY KEY, name text, qty int4, code text);
  INSERT INTO public.items VALUES (1, 'a', 10, '10'), (2, 'b', 20, '20'), (3, 'c', 2000000000, '30');`;

async function setUp(name: string, evolution: string, writeMode: 'upsert' | 'append' = 'upsert', source = SOURCE) {
  const src = await scope.create(`${name}_src`, source);
  const dst = await scope.create(`${name}_dst`);
  const file = writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.items, sync_mode: cdc }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: ${writeMode}
  schema_evolution: ${evolution}
`);
  succeeded(await runCli(['run', '--json', file]));
  return { src, dst, file };
}

/** Asserts success; returns the schema changes the stream lists. */
function succeeded(result: CliResult): string[] {
  return (expectSucceeded(result).streams[0] as StreamJson).schemaChanges ?? [];
}

function refused(result: CliResult): { code: string; message: string } {
  expect(result.code, cliOutput(result)).not.toBe(0);
  const error = parseJson(result).streams[0]?.error as { code: string; message: string } | undefined;
  expect(error).toBeDefined();
  return error as { code: string; message: string };
}

const run = (file: string): Promise<CliResult> => runCli(['run', '--json', file]);

/** name -> format_type of the destination's columns. */
async function columns(dst: TestDatabase): Promise<Record<string, string>> {
  const r = await cluster.query(
    dst.name,
    `SELECT attname::text AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = 'public.items'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
  );
  return Object.fromEntries(r.rows.map((row) => [row.name as string, row.type as string]));
}

async function expectEqual(src: TestDatabase, dst: TestDatabase, cols: string[]): Promise<void> {
  await expectTablesEqual(src, 'items', dst, 'items', { columns: cols });
}

async function values(dst: TestDatabase, select: string): Promise<unknown[][]> {
  return (await cluster.query(dst.name, `SELECT ${select} FROM public.items ORDER BY id`)).rows.map((r) =>
    Object.values(r),
  );
}

describe('schema_evolution on cdc × upsert', () => {
  it('new_column: add — ADD COLUMN then changes: the column appears with the source type, the values arrive, the summary lists it', async () => {
    const { src, dst, file } = await setUp('cse_add', '{ new_column: add }');
    await cluster.psql(
      src.name,
      `ALTER TABLE items ADD COLUMN price numeric(10,2); INSERT INTO items VALUES (4, 'd', 40, '40', 9.5); UPDATE items SET price = 1.25 WHERE id = 1;`,
    );
    expect(succeeded(await run(file))).toEqual(['new_column "price" (numeric(10,2)): add']);
    expect((await columns(dst)).price).toBe('numeric(10,2)');
    await expectEqual(src, dst, ['id', 'name', 'qty', 'code', 'price']);
  });

  it('new_column: add — ADD COLUMN with no following change: not at the destination until a change of the table carries it', async () => {
    const { src, dst, file } = await setUp('cse_add_idle', '{ new_column: add }');
    await cluster.psql(src.name, `ALTER TABLE items ADD COLUMN note text DEFAULT 'n'`);
    succeeded(await run(file));
    expect(Object.keys(await columns(dst))).not.toContain('note');
    await cluster.psql(src.name, `UPDATE items SET note = 'x' WHERE id = 2`);
    succeeded(await run(file));
    expect((await columns(dst)).note).toBe('text');
    // rows written before the column existed at the destination get the default the source's existing rows took; the changed row has its value
    expect(await values(dst, 'id, note')).toEqual([
      [1, 'n'],
      [2, 'x'],
      [3, 'n'],
    ]);
  });

  it('new_column: ignore — not created; the other columns keep following', async () => {
    const { src, dst, file } = await setUp('cse_ignore', '{ new_column: ignore }');
    await cluster.psql(
      src.name,
      `ALTER TABLE items ADD COLUMN price numeric(10,2); INSERT INTO items VALUES (4, 'd', 40, '40', 9.5); UPDATE items SET name = 'A' WHERE id = 1;`,
    );
    succeeded(await run(file));
    expect(Object.keys(await columns(dst))).toEqual(['id', 'name', 'qty', 'code']);
    await expectEqual(src, dst, ['id', 'name', 'qty', 'code']);
  });

  it('new_column: fail — SCHEMA_CHANGE_REFUSED naming the column; nothing of the new shape applied', async () => {
    const { src, dst, file } = await setUp('cse_fail', '{ new_column: fail }');
    await cluster.psql(
      src.name,
      `ALTER TABLE items ADD COLUMN price numeric(10,2); INSERT INTO items VALUES (4, 'd', 40, '40', 9.5);`,
    );
    const error = refused(await run(file));
    expect(error.code).toBe('SCHEMA_CHANGE_REFUSED');
    expect(error.message).toContain('"price"');
    expect(Object.keys(await columns(dst))).toEqual(['id', 'name', 'qty', 'code']);
    expect((await values(dst, 'id')).length).toBe(3);
  });

  it('removed_column: ignore — DROP COLUMN: kept at the destination, NULL in new rows; fail names it', async () => {
    const { src, dst, file } = await setUp('cse_drop', '{ removed_column: ignore }');
    await cluster.psql(
      src.name,
      `ALTER TABLE items DROP COLUMN code; INSERT INTO items VALUES (4, 'd', 40); UPDATE items SET name = 'B' WHERE id = 2;`,
    );
    succeeded(await run(file));
    expect((await columns(dst)).code).toBe('text');
    expect(await values(dst, 'id, name, code')).toEqual([
      [1, 'a', '10'],
      [2, 'B', '20'],
      [3, 'c', '30'],
      [4, 'd', null],
    ]);
    await expectEqual(src, dst, ['id', 'name', 'qty']);

    const strict = await setUp('cse_drop_fail', '{ removed_column: fail }');
    await cluster.psql(
      strict.src.name,
      `ALTER TABLE items DROP COLUMN code; UPDATE items SET name = 'B' WHERE id = 2;`,
    );
    const error = refused(await run(strict.file));
    expect(error.code).toBe('SCHEMA_CHANGE_REFUSED');
    expect(error.message).toContain('"code"');
  });

  it('type_change: coerce — int4 -> int8 (values kept and widened) and text -> int with castable values', async () => {
    const { src, dst, file } = await setUp('cse_coerce', '{ type_change: coerce }');
    await cluster.psql(
      src.name,
      `ALTER TABLE items ALTER COLUMN qty TYPE int8; UPDATE items SET qty = 9000000000 WHERE id = 3;
      ALTER TABLE items ALTER COLUMN code TYPE int USING code::int; UPDATE items SET code = 11 WHERE id = 1;`,
    );
    expect(succeeded(await run(file))).toEqual(
      expect.arrayContaining([
        'type_change "qty" integer -> bigint: coerce',
        'type_change "code" text -> integer: coerce',
      ]),
    );
    expect(await columns(dst)).toMatchObject({ qty: 'bigint', code: 'integer' });
    await expectEqual(src, dst, ['id', 'name', 'qty', 'code']);
  });

  it('type_change: null — the column keeps its type, rows written after the change have NULL there', async () => {
    const { src, dst, file } = await setUp('cse_null', '{ type_change: null }');
    await cluster.psql(
      src.name,
      `ALTER TABLE items ALTER COLUMN qty TYPE text USING 'q' || qty; INSERT INTO items VALUES (4, 'd', 'q40', '40');`,
    );
    expect(succeeded(await run(file))).toEqual([expect.stringMatching(/^type_change "qty" integer -> text: null/)]);
    expect((await columns(dst)).qty).toBe('integer');
    expect(await values(dst, 'id, qty')).toEqual([
      [1, 10],
      [2, 20],
      [3, 2000000000],
      [4, null],
    ]);
    await expectEqual(src, dst, ['id', 'name', 'code']);
  });

  it('type_change: fail — SCHEMA_CHANGE_REFUSED naming the column and both types', async () => {
    const { src, dst, file } = await setUp('cse_tfail', '{ type_change: fail }');
    await cluster.psql(
      src.name,
      `ALTER TABLE items ALTER COLUMN qty TYPE int8; UPDATE items SET qty = 1 WHERE id = 1;`,
    );
    const error = refused(await run(file));
    expect(error.code).toBe('SCHEMA_CHANGE_REFUSED');
    expect(error.message).toMatch(/"qty" changed type from integer to bigint/);
    expect((await columns(dst)).qty).toBe('integer');
  });
});

describe('schema_evolution on cdc × append (change log)', () => {
  it('ADD and DROP COLUMN: the log gains the column, later rows carry it; the dropped one stays, NULL from then on', async () => {
    const { src, dst, file } = await setUp('csl_add', '{ new_column: add, removed_column: ignore }', 'append');
    await cluster.psql(
      src.name,
      `ALTER TABLE items ADD COLUMN price numeric(10,2); INSERT INTO items VALUES (4, 'd', 40, '40', 9.5);
      ALTER TABLE items DROP COLUMN code; INSERT INTO items VALUES (5, 'e', 50, 1.5);`,
    );
    succeeded(await run(file));
    expect(await columns(dst)).toMatchObject({ price: 'numeric(10,2)', code: 'text' });
    const log = await cluster.query(
      dst.name,
      `SELECT id, price::text AS price, code, _rb_op AS op FROM items WHERE _rb_op = 'I' ORDER BY id`,
    );
    expect(log.rows).toEqual([
      { id: 4, price: '9.50', code: '40', op: 'I' },
      { id: 5, price: '1.50', code: null, op: 'I' },
    ]);
  });

  it('type_change: coerce text -> int fails naming the value the log holds that does not cast', async () => {
    const { src, dst, file } = await setUp(
      'csl_cast',
      '{ type_change: coerce }',
      'append',
      `CREATE TABLE public.items (id int PRIMARY KEY, code text);
      INSERT INTO public.items VALUES (1, '10'), (2, 'abc');`,
    );
    // the source fixes its value before the change; the log still holds 'abc'
    await cluster.psql(
      src.name,
      `UPDATE items SET code = '2' WHERE id = 2; ALTER TABLE items ALTER COLUMN code TYPE int USING code::int; UPDATE items SET code = 3 WHERE id = 2;`,
    );
    const error = refused(await run(file));
    expect(error.code).toBe('CAST_FAILED');
    expect(error.message).toContain('"code"');
    expect(error.message).toContain('abc');
    expect((await columns(dst)).code).toBe('text');
  });
});
