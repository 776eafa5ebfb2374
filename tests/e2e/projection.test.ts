// Projection pushdown: `streams[].columns` reads only those columns at the source — proven
// by the statements the server ran (pg_stat_statements) and by a reader that may SELECT only them
// (column privileges: a statement naming any other column is refused) — and creates only them at
// the destination; for full_refresh, incremental and cdc.
import { afterAll, describe, expect, it } from 'vitest';
import {
  columnNames,
  databaseScope,
  pgEndpoint,
  runCli,
  testPg,
  writePipeline,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);
afterAll(async () => {
  await scope.dropAll();
});

const WIDE = `CREATE TABLE public.wide (id int PRIMARY KEY, email text, name text, secret text, amount numeric(12,2), note text, created_at timestamptz NOT NULL DEFAULT now(), flag bool);
INSERT INTO public.wide (id, email, name, secret, amount, note, flag) SELECT g, 'u' || g || '@x.io', 'n' || g, 'secret ' || g, g / 3.0, 'note', g % 2 = 0 FROM generate_series(1, 500) g;`;

/** The COPY statements the server ran in database `db` that read `public.wide`. */
async function copiesOfWide(db: TestDatabase): Promise<string[]> {
  const r = await cluster.query(
    db.name,
    `SELECT query FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND query ILIKE 'COPY%' AND query LIKE '%"public"."wide"%'`,
  );
  return r.rows.map((row: { query: string }) => row.query);
}

async function destinationColumns(db: TestDatabase, table: string): Promise<string[]> {
  return columnNames(db, `public.${table}`);
}

describe('projection', () => {
  it('2 of 8 columns: a reader allowed only those columns succeeds (full_refresh and incremental), the destination has exactly them', async () => {
    const src = await scope.create('proj_src', WIDE);
    const dst = await scope.create('proj_dst');
    await cluster.query(src.name, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const reader = await cluster.createLoginRole('reader pw', { prefix: 'proj_reader' });
    await cluster.query(src.name, `GRANT SELECT (id, email, created_at) ON public.wide TO ${reader.user}`);
    const srcUrl = cluster.url(src.name, reader.user, reader.password);
    const pipelineWith = (name: string, stream: string): string =>
      writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(srcUrl)}
  streams:
    - ${stream}
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
`);
    for (const file of [
      pipelineWith(
        'proj_full',
        '{ name: public.wide, sync_mode: full_refresh, columns: [id, email], destination_table: wide_full }',
      ),
      pipelineWith(
        'proj_inc',
        '{ name: public.wide, sync_mode: incremental, cursor_field: created_at, columns: [id, email, created_at], destination_table: wide_inc }',
      ),
    ]) {
      const run = await runCli(['run', '--json', file]);
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    }
    // the statements the source ran name the projected columns and no other
    const copies = await copiesOfWide(src);
    expect(copies.length).toBeGreaterThanOrEqual(2);
    for (const sql of copies) {
      expect(sql).toMatch(/^COPY \(SELECT "id", "email"(, "created_at")? FROM ONLY "public"\."wide"/);
      for (const other of ['name', 'secret', 'amount', 'note', 'flag']) expect(sql).not.toContain(`"${other}"`);
    }
    expect(await destinationColumns(dst, 'wide_full')).toEqual(['id', 'email']);
    expect(await destinationColumns(dst, 'wide_inc')).toEqual(['id', 'email', 'created_at']);
    const diff = await cluster.compareTables(src.url, 'wide', dst.url, 'wide_full', { columns: ['id', 'email'] });
    expect([diff.onlyInSource, diff.onlyInDestination, diff.destinationRows]).toEqual([[], [], 500]);
    // the same reader without the column list is refused: the unprojected statement names every column
    const all = writePipeline(`version: "1.0"
pipeline: proj_all
source:
  use: source-postgres
  ${pgEndpoint(srcUrl)}
  streams:
    - { name: public.wide, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: append
`);
    const refused = await runCli(['run', '--json', all]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain('PERMISSION_DENIED');
  });

  it('cdc: only the projected columns reach the destination, for the snapshot and the changes', async () => {
    const src = await scope.create('proj_cdc_src', WIDE);
    const dst = await scope.create('proj_cdc_dst');
    await cluster.query(src.name, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const file = writePipeline(`version: "1.0"
pipeline: proj_cdc
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.wide, sync_mode: cdc, columns: [id, email] }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
`);
    const first = await runCli(['run', '--json', file]);
    expect(first.code, first.stderr).toBe(0);
    await cluster.psql(
      src.name,
      `UPDATE wide SET email = 'changed@x.io', secret = 'new secret' WHERE id < 10; DELETE FROM wide WHERE id = 20; INSERT INTO wide (id, email, secret) VALUES (1000, 'n@x.io', 's');`,
    );
    const second = await runCli(['run', '--json', file]);
    expect(second.code, second.stderr).toBe(0);
    expect(await destinationColumns(dst, 'wide')).toEqual(['id', 'email']);
    // the snapshot's COPY named only the projected columns
    const copies = await copiesOfWide(src);
    expect(copies.length).toBeGreaterThanOrEqual(1);
    for (const sql of copies) expect(sql).toMatch(/^COPY \(SELECT "id", "email" FROM ONLY "public"\."wide"/);
    const diff = await cluster.compareTables(src.url, 'wide', dst.url, 'wide', { columns: ['id', 'email'] });
    expect([diff.onlyInSource, diff.onlyInDestination, diff.destinationRows]).toEqual([[], [], 500]);
  });
});
