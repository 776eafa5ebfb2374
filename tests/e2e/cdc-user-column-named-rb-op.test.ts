// A source table with columns named like the engine's change columns (`_rb_op`, `_rb_lsn`,
// `_rb_unchanged`). Under cdc × upsert they are ordinary columns and arrive exactly — an update
// setting `_rb_op` to 'D' is an update, not a delete. A change log (cdc × append) needs those
// names for its own columns, so such a stream is refused before anything is changed, naming the
// stream, the column and the way out; with a `columns:` projection leaving them out it runs.
// In every case the source application's own INSERT/UPDATE/DELETE keep working.
import { afterAll, describe, expect, it } from 'vitest';
import {
  columnNames,
  databaseScope,
  expectTablesEqual,
  parseJson,
  pgEndpoint,
  runCli,
  runSucceeded,
  testPg,
  writePipeline,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);
afterAll(async () => {
  await scope.dropAll();
});

// user columns named like the change columns, with types unlike the engine's (text / pg_lsn / text)
const SOURCE = `CREATE TABLE public.ledger (id int PRIMARY KEY, _rb_op text, _rb_lsn bigint, _rb_unchanged boolean, note text);
  INSERT INTO public.ledger VALUES (1, 'D', 10, true, 'one'), (2, 'I', NULL, false, 'two'), (3, 'T', 30, NULL, 'three'), (4, NULL, 40, true, 'four');`;

function pipeline(
  name: string,
  src: TestDatabase,
  dst: TestDatabase,
  writeMode: 'upsert' | 'append',
  streamExtra = '',
): string {
  return writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.ledger, sync_mode: cdc${streamExtra} }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: ${writeMode}
`);
}

async function expectEqual(src: TestDatabase, dst: TestDatabase, columns?: string[]): Promise<void> {
  await expectTablesEqual(src, 'ledger', dst, 'ledger', { columns });
}

/** The application's own writes on the source table (after the table was published or refused). */
async function applicationWrites(src: TestDatabase, id: number): Promise<void> {
  await cluster.query(src.name, `INSERT INTO ledger VALUES ($1, 'U', 1, false, 'app')`, [id]);
  await cluster.query(src.name, `UPDATE ledger SET note = 'app-updated', _rb_op = 'D' WHERE id = $1`, [id]);
  await cluster.query(src.name, `DELETE FROM ledger WHERE id = $1`, [id]);
  await cluster.query(src.name, `INSERT INTO ledger VALUES ($1, 'D', 2, true, 'app-kept')`, [id + 1]);
}

async function destinationColumns(dst: TestDatabase): Promise<string[]> {
  return columnNames(dst, 'public.ledger');
}

describe('a source column named _rb_op / _rb_lsn / _rb_unchanged', () => {
  it('cdc × upsert: user columns named _rb_op, _rb_lsn, _rb_unchanged travel as ordinary columns (an update setting _rb_op = D does not delete the row; an insert with D arrives)', async () => {
    const src = await scope.create('rbop_up_src', SOURCE);
    const dst = await scope.create('rbop_up_dst');
    const file = pipeline('rbop_up', src, dst, 'upsert');
    await runSucceeded(file);
    // the snapshot keeps the columns, with their own types
    expect(await destinationColumns(dst)).toEqual(['id', '_rb_op', '_rb_lsn', '_rb_unchanged', 'note']);
    await expectEqual(src, dst);

    await cluster.psql(
      src.name,
      `INSERT INTO ledger VALUES (5, 'D', 50, true, 'five'), (6, 'T', NULL, NULL, 'six');
       UPDATE ledger SET _rb_op = 'D', note = 'one+' WHERE id = 1;
       UPDATE ledger SET _rb_op = 'T', _rb_lsn = 99 WHERE id = 2;
       UPDATE ledger SET _rb_unchanged = NULL, _rb_op = NULL WHERE id = 3;
       DELETE FROM ledger WHERE id = 4;
       BEGIN; INSERT INTO ledger VALUES (7, 'I', 70, false, 'seven'); UPDATE ledger SET _rb_op = 'D' WHERE id = 7; COMMIT;`,
    );
    await runSucceeded(file);
    await expectEqual(src, dst);
    const rows = await cluster.query(dst.name, `SELECT id, _rb_op, _rb_lsn::int AS lsn FROM ledger ORDER BY id`);
    expect(rows.rows).toEqual([
      { id: 1, _rb_op: 'D', lsn: 10 },
      { id: 2, _rb_op: 'T', lsn: 99 },
      { id: 3, _rb_op: null, lsn: 30 },
      { id: 5, _rb_op: 'D', lsn: 50 },
      { id: 6, _rb_op: 'T', lsn: null },
      { id: 7, _rb_op: 'D', lsn: 70 },
    ]);

    await applicationWrites(src, 100);
    await runSucceeded(file);
    await expectEqual(src, dst);
  });

  it('cdc × append (change log): a user column named _rb_op is refused before the table is published, naming the stream, the column and the way out; a columns: projection leaving it out runs', async () => {
    const src = await scope.create('rbop_log_src', SOURCE);
    const dst = await scope.create('rbop_log_dst');
    const file = pipeline('rbop_log', src, dst, 'append');
    const result = await runCli(['run', '--json', file]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).not.toBe(0);
    const error = parseJson(result).streams[0]?.error;
    expect(error?.code).toBe('CDC_COLUMN_RESERVED');
    expect(error?.message).toContain('public.ledger');
    expect(error?.message).toContain('"_rb_op"');
    expect(error?.message).toContain('"_rb_lsn"');
    expect(error?.message).toContain('"_rb_unchanged"');
    expect(error?.message).toContain('columns:');
    expect(error?.message).toContain('write_mode: upsert');
    // nothing was changed: the table is not published, no slot, no destination table
    const published = await cluster.query(
      src.name,
      `SELECT count(*)::int AS n FROM pg_publication_tables WHERE tablename = 'ledger'`,
    );
    expect((published.rows[0] as { n: number }).n).toBe(0);
    const slots = await cluster.query(
      src.name,
      `SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = 'rapidbyte_rbop_log'`,
    );
    expect((slots.rows[0] as { n: number }).n).toBe(0);
    const table = await cluster.query(dst.name, `SELECT to_regclass('public.ledger') IS NULL AS missing`);
    expect((table.rows[0] as { missing: boolean }).missing).toBe(true);
    await applicationWrites(src, 100);

    // the way out: leave the columns out of the stream
    const projected = pipeline('rbop_log', src, dst, 'append', ', columns: [id, note]');
    await runSucceeded(projected);
    await cluster.psql(
      src.name,
      `INSERT INTO ledger VALUES (8, 'D', 80, true, 'eight'); UPDATE ledger SET note = 'one+' WHERE id = 1; DELETE FROM ledger WHERE id = 2;`,
    );
    await runSucceeded(projected);
    const log = await cluster.query(
      dst.name,
      `SELECT id, note, _rb_op AS op FROM ledger WHERE _rb_op <> 'r' ORDER BY id`,
    );
    expect(log.rows).toEqual([
      { id: 1, note: 'one+', op: 'U' },
      { id: 2, note: null, op: 'D' },
      { id: 8, note: 'eight', op: 'I' },
    ]);
    const snapshot = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM ledger WHERE _rb_op = 'r'`);
    expect((snapshot.rows[0] as { n: number }).n).toBe(5);
    await applicationWrites(src, 200);
    await runSucceeded(projected);
  });
});
