// A CDC stream whose source table gets `ADD COLUMN … DEFAULT` or `RENAME COLUMN`. pgoutput sends
// only the new shape (names, no defaults, no column identity), so the destination used to leave
// existing rows NULL in an added column, and turn a rename into a new column (NULL in every
// earlier row) beside the old one. Now: a constant default that existing source rows took is set
// on the existing destination rows; a column whose source identity (attnum) is unchanged but whose
// name changed is renamed at the destination; what cannot be known (a volatile default) is a
// warning naming the re-snapshot command.
import { afterAll, describe, expect, it } from 'vitest';
import {
  columnNames,
  databaseScope,
  expectSucceeded,
  expectTablesEqual,
  pgEndpoint,
  runCli,
  spawnCli,
  testPg,
  waitFor,
  writePipeline,
  type CliResult,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);
afterAll(async () => {
  await scope.dropAll();
});

const SOURCE = `CREATE TABLE public.items (id int PRIMARY KEY, name text, qty int);
  INSERT INTO public.items VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30);`;

async function setUp(name: string, writeMode: 'upsert' | 'append' = 'upsert') {
  const src = await scope.create(`${name}_src`, SOURCE);
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
`);
  await runOk(file);
  return { src, dst, file };
}

async function runOk(file: string): Promise<CliResult> {
  const result = await runCli(['run', '--json', file]);
  expectSucceeded(result);
  return result;
}

async function columns(db: TestDatabase): Promise<string[]> {
  return columnNames(db, 'public.items');
}

async function expectEqual(src: TestDatabase, dst: TestDatabase, cols: string[]): Promise<void> {
  await expectTablesEqual(src, 'items', dst, 'items', { columns: cols });
}

/** The application's own writes still work; the next run follows them. */
async function applicationWrites(src: TestDatabase, dst: TestDatabase, file: string, cols: string[]): Promise<void> {
  await cluster.psql(
    src.name,
    `INSERT INTO items (id, qty) VALUES (100, 1); UPDATE items SET qty = qty + 1 WHERE id IN (1, 100); DELETE FROM items WHERE id = 3;`,
  );
  await runOk(file);
  await expectEqual(src, dst, cols);
}

describe('ADD COLUMN … DEFAULT during CDC', () => {
  it('cdc × upsert: existing destination rows get the constant default the existing source rows took (also a stable now()); a volatile default is a warning naming the re-snapshot command', async () => {
    const { src, dst, file } = await setUp('cad_default');
    await cluster.psql(
      src.name,
      `ALTER TABLE items ADD COLUMN status text NOT NULL DEFAULT 'new';
       ALTER TABLE items ADD COLUMN added_at timestamptz DEFAULT now();
       ALTER TABLE items ADD COLUMN note text;
       INSERT INTO items (id, name, qty, status) VALUES (4, 'd', 40, 'hot');
       UPDATE items SET qty = 21 WHERE id = 2;`,
    );
    await runOk(file);
    expect(await columns(dst)).toEqual(['id', 'name', 'qty', 'status', 'added_at', 'note']);
    await expectEqual(src, dst, ['id', 'name', 'qty', 'status', 'added_at', 'note']);

    // a volatile default: every existing row got its own value, which the destination cannot know
    await cluster.psql(
      src.name,
      `ALTER TABLE items ADD COLUMN token text DEFAULT md5(random()::text); UPDATE items SET qty = 11 WHERE id = 1;`,
    );
    const warned = await runOk(file);
    expect(warned.stderr).toContain('"token"');
    expect(warned.stderr).toContain('rapidbyte state reset');
    expect(warned.stderr).toContain('--stream public.items');
    await expectEqual(src, dst, ['id', 'name', 'qty', 'status', 'added_at', 'note']);
    const rows = await cluster.query(dst.name, `SELECT id, token IS NOT NULL AS has FROM items ORDER BY id`);
    expect(rows.rows).toEqual([
      { id: 1, has: true },
      { id: 2, has: false },
      { id: 3, has: false },
      { id: 4, has: false },
    ]);
    await applicationWrites(src, dst, file, ['id', 'name', 'qty', 'status', 'added_at', 'note']);
  });
});

describe('RENAME COLUMN during CDC', () => {
  it('cdc × upsert: a renamed source column is renamed at the destination (earlier rows keep their values), also when changes of the old shape come first in the same run', async () => {
    const { src, dst, file } = await setUp('cad_rename');
    await cluster.psql(
      src.name,
      `ALTER TABLE items RENAME COLUMN name TO title; UPDATE items SET title = 'A' WHERE id = 1; INSERT INTO items VALUES (4, 'd', 40);`,
    );
    await runOk(file);
    expect(await columns(dst)).toEqual(['id', 'title', 'qty']);
    await expectEqual(src, dst, ['id', 'title', 'qty']);

    // changes before the rename, the rename, changes after it: all read in one run
    await cluster.psql(
      src.name,
      `UPDATE items SET title = 'B' WHERE id = 2; ALTER TABLE items RENAME COLUMN title TO label; UPDATE items SET label = 'C' WHERE id = 3;`,
    );
    await runOk(file);
    expect(await columns(dst)).toEqual(['id', 'label', 'qty']);
    await expectEqual(src, dst, ['id', 'label', 'qty']);
    await applicationWrites(src, dst, file, ['id', 'label', 'qty']);
  });

  it('cdc × append (change log): a rename renames the log column; earlier log rows keep what was logged (no fill)', async () => {
    const { src, dst, file } = await setUp('cad_log', 'append');
    await cluster.psql(
      src.name,
      `ALTER TABLE items RENAME COLUMN name TO title; ALTER TABLE items ADD COLUMN status text DEFAULT 'new'; UPDATE items SET qty = 11 WHERE id = 1;`,
    );
    await runOk(file);
    expect(await columns(dst)).toEqual(['id', 'title', 'qty', '_rb_op', '_rb_lsn', '_rb_unchanged', 'status']);
    const log = await cluster.query(
      dst.name,
      `SELECT id, title, qty, status, _rb_op AS op FROM items ORDER BY _rb_lsn, id`,
    );
    expect(log.rows).toEqual([
      { id: 1, title: 'a', qty: 10, status: null, op: 'r' },
      { id: 2, title: 'b', qty: 20, status: null, op: 'r' },
      { id: 3, title: 'c', qty: 30, status: null, op: 'r' },
      { id: 1, title: 'a', qty: 11, status: 'new', op: 'U' },
    ]);
  });

  it('run --follow: a rename and an ADD COLUMN … DEFAULT made while the stream runs are followed (the engine reads the source catalog when the Relation message arrives)', async () => {
    const { src, dst, file } = await setUp('cad_follow');
    const follow = spawnCli(['run', '--follow', '--json', file]);
    await cluster.psql(src.name, `UPDATE items SET qty = 12 WHERE id = 1;`);
    await waitFor(
      'the first change',
      async () => {
        const r = await cluster.query(dst.name, `SELECT qty FROM items WHERE id = 1`).catch(() => undefined);
        return r?.rows[0]?.qty === 12 ? true : undefined;
      },
      { cli: follow, intervalMs: 200 },
    );
    await cluster.psql(
      src.name,
      `ALTER TABLE items RENAME COLUMN name TO title; ALTER TABLE items ADD COLUMN status text DEFAULT 'new'; INSERT INTO items (id, title, qty) VALUES (5, 'e', 50);`,
    );
    await waitFor(
      'the row inserted after the DDL',
      async () => {
        const r = await cluster.query(dst.name, `SELECT status FROM items WHERE id = 5`).catch(() => undefined);
        return r?.rows[0] !== undefined ? true : undefined;
      },
      { cli: follow, intervalMs: 200 },
    );
    process.kill(follow.pid, 'SIGINT');
    const result = await follow.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(await columns(dst)).toEqual(['id', 'title', 'qty', 'status']);
    await expectEqual(src, dst, ['id', 'title', 'qty', 'status']);
    await applicationWrites(src, dst, file, ['id', 'title', 'qty', 'status']);
  });
});
