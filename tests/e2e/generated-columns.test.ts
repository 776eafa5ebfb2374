// Generated stored columns (`GENERATED ALWAYS AS (expr) STORED`). Logical replication does not send
// them, so a CDC stream that copied their values would keep stale ones on update and NULL on
// insert. Rule: a generated column whose expression reads only the stream's own columns and
// builtin functions is not read; the table rapidbyte creates gets the same generated column, so
// the destination computes it — on full_refresh, incremental and CDC alike. One whose expression
// cannot be recreated (a user-defined function) is copied as a plain value by full_refresh and
// incremental, and left out of a CDC stream with a warning.
import { afterAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  expectSucceeded,
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
  await scope.dropAll();
});

const SOURCE = `CREATE FUNCTION public.twice(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT $1 * 2';
  CREATE TABLE public.items (
    id int PRIMARY KEY,
    name text,
    qty int NOT NULL,
    price numeric(10,2),
    total numeric GENERATED ALWAYS AS (qty * price) STORED,
    label text GENERATED ALWAYS AS (upper(name) || '#' || id::text) STORED,
    doubled int GENERATED ALWAYS AS (public.twice(qty)) STORED,
    note text
  );
  INSERT INTO public.items (id, name, qty, price, note) VALUES (1, 'a', 2, 1.50, 'x'), (2, 'b', 3, NULL, NULL), (3, NULL, 4, 2.25, 'z');`;

const RECREATED = ['id', 'name', 'qty', 'price', 'total', 'label', 'note'];

function pipeline(name: string, src: TestDatabase, dst: TestDatabase, stream: string, writeMode: string): string {
  return writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.items, ${stream} }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: ${writeMode}
`);
}

async function runOk(file: string): Promise<CliResult> {
  const result = await runCli(['run', '--json', file]);
  expectSucceeded(result);
  return result;
}

async function expectEqual(src: TestDatabase, dst: TestDatabase, columns: string[]): Promise<void> {
  await expectTablesEqual(src, 'items', dst, 'items', { columns });
}

/** name -> generation expression ('' for a plain column) of the table's columns, in order. */
async function generation(db: TestDatabase): Promise<[string, string][]> {
  const r = await cluster.query(
    db.name,
    `SELECT a.attname::text AS name, CASE WHEN a.attgenerated = 's' THEN pg_get_expr(d.adbin, d.adrelid) ELSE '' END AS expr
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = 'public.items'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
  );
  return r.rows.map((row) => [row.name as string, row.expr as string]);
}

describe('generated stored columns', () => {
  it('full_refresh: a generated column is recreated as generated with the same expression (not copied as a plain value); one calling a user function is copied as a plain value', async () => {
    const src = await scope.create('gen_fr_src', SOURCE);
    for (const mode of ['replace', 'append', 'upsert']) {
      const dst = await scope.create(`gen_fr_${mode}_dst`);
      await runOk(pipeline(`gen_fr_${mode}`, src, dst, 'sync_mode: full_refresh', mode));
      const source = Object.fromEntries(await generation(src));
      expect(await generation(dst), mode).toEqual([
        ['id', ''],
        ['name', ''],
        ['qty', ''],
        ['price', ''],
        ['total', source.total],
        ['label', source.label],
        ['doubled', ''],
        ['note', ''],
      ]);
      await expectEqual(src, dst, [...RECREATED, 'doubled']);
    }
  });

  it('incremental upsert: updated rows get their generated values recomputed at the destination', async () => {
    const src = await scope.create(
      'gen_inc_src',
      SOURCE.replace('note text', 'note text, updated_at int NOT NULL DEFAULT 0'),
    );
    const dst = await scope.create('gen_inc_dst');
    const file = pipeline('gen_inc', src, dst, 'sync_mode: incremental, cursor_field: updated_at', 'upsert');
    await runOk(file);
    await cluster.psql(
      src.name,
      `UPDATE items SET qty = 10, name = 'bb', updated_at = 1 WHERE id = 2; INSERT INTO items (id, name, qty, price, updated_at) VALUES (4, 'd', 1, 9.99, 1);`,
    );
    await runOk(file);
    expect((await generation(dst)).find(([n]) => n === 'total')?.[1]).not.toBe('');
    await expectEqual(src, dst, [...RECREATED, 'doubled', 'updated_at']);
  });

  it('cdc × upsert: generated columns are computed at the destination for inserted and updated rows (not NULL, not stale); one calling a user function is left out with a warning', async () => {
    const src = await scope.create('gen_cdc_src', SOURCE);
    const dst = await scope.create('gen_cdc_dst');
    const file = pipeline('gen_cdc', src, dst, 'sync_mode: cdc', 'upsert');
    const first = await runOk(file);
    await expectEqual(src, dst, RECREATED);

    await cluster.psql(
      src.name,
      `INSERT INTO items (id, name, qty, price) VALUES (4, 'd', 5, 1.10), (5, 'e', 6, NULL);
       UPDATE items SET qty = 7 WHERE id = 1;
       UPDATE items SET price = 3.00, name = 'B' WHERE id = 2;
       UPDATE items SET note = 'only the note' WHERE id = 3;
       DELETE FROM items WHERE id = 5;`,
    );
    await runOk(file);
    await expectEqual(src, dst, RECREATED);
    const rows = await cluster.query(dst.name, `SELECT id, total::text AS total, label FROM items ORDER BY id`);
    expect(rows.rows).toEqual([
      { id: 1, total: '10.50', label: 'A#1' },
      { id: 2, total: '9.00', label: 'B#2' },
      { id: 3, total: '9.00', label: null },
      { id: 4, total: '5.50', label: 'D#4' },
    ]);

    // the columns are generated at the destination; the one it cannot compute was left out with a warning
    const source = Object.fromEntries(await generation(src));
    expect(await generation(dst)).toEqual([
      ['id', ''],
      ['name', ''],
      ['qty', ''],
      ['price', ''],
      ['total', source.total],
      ['label', source.label],
      ['note', ''],
    ]);
    expect(first.stderr).toContain('"doubled"');
    expect(first.stderr).toContain('twice(qty)');

    // the application's own writes keep working, and the next run follows them
    await cluster.psql(
      src.name,
      `INSERT INTO items (id, name, qty) VALUES (6, 'f', 1); UPDATE items SET qty = qty + 1; DELETE FROM items WHERE id = 4;`,
    );
    await runOk(file);
    await expectEqual(src, dst, RECREATED);
  });

  it('cdc × append (change log): the log computes the generated columns of every logged row', async () => {
    const src = await scope.create('gen_log_src', SOURCE);
    const dst = await scope.create('gen_log_dst');
    const file = pipeline('gen_log', src, dst, 'sync_mode: cdc', 'append');
    await runOk(file);
    await cluster.psql(
      src.name,
      `INSERT INTO items (id, name, qty, price) VALUES (4, 'd', 5, 1.10); UPDATE items SET qty = 7 WHERE id = 1;`,
    );
    await runOk(file);
    const source = Object.fromEntries(await generation(src));
    expect(Object.fromEntries(await generation(dst))).toMatchObject({ total: source.total, label: source.label });
    const log = await cluster.query(
      dst.name,
      `SELECT id, total::text AS total, label, _rb_op AS op FROM items WHERE _rb_op <> 'r' ORDER BY id`,
    );
    expect(log.rows).toEqual([
      { id: 1, total: '10.50', label: 'A#1', op: 'U' },
      { id: 4, total: '5.50', label: 'D#4', op: 'I' },
    ]);
  });
});
