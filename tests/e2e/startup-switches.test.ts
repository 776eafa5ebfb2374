// Start-up paths (README "Performance"): the bundled CLI and stream worker, the source starting
// without waiting for the destination's resume point where that is known to be empty (replace),
// the per-thread memo of a server's TLS refusal (`sslmode=prefer` against this cluster, which has
// no TLS), the compiled-schema cache, compiling the components ahead, Node 20's navigator, the
// warm worker and its preload of the bindings, `run` loading no other command, lazy wasm validation, precompiled schema validators —
// each with its switch off must move the same rows as with it on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pgEndpoint, runCli, writePipeline } from '../support/run-cli.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';
import { databaseScope } from '../support/database-scope.js';
import type { RunJson } from '../support/run-json.js';

const cluster = testPg();
const scope = databaseScope(cluster);
const work = mkdtempSync(join(tmpdir(), 'rb-startup-'));

const DDL = `CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, cur bigint NOT NULL);
  INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 500) g;`;

/** Every start-up switch turned off (the paths before they were added). */
const ALL_OFF = {
  RAPIDBYTE_BUNDLE: 'off',
  RAPIDBYTE_RESUME_GATE: 'always',
  RAPIDBYTE_TLS_MEMO: 'off',
  RAPIDBYTE_SCHEMA_CACHE: 'off',
  RAPIDBYTE_EARLY_COMPILE: 'off',
  RAPIDBYTE_NODE_NAVIGATOR: 'off',
  RAPIDBYTE_WARM_WORKER: 'off',
  RAPIDBYTE_WARM_PRELOAD: 'off',
  RAPIDBYTE_LAZY_COMMANDS: 'off',
  RAPIDBYTE_WASM_LAZY_VALIDATION: 'off',
  RAPIDBYTE_PRECOMPILED_SCHEMAS: 'off',
};
const VARIANTS = [
  { name: 'switches on', env: {} },
  { name: 'switches off', env: ALL_OFF },
] as const;

function pipeline(
  name: string,
  src: TestDatabase,
  dst: TestDatabase,
  stream: string,
  writeMode: 'replace' | 'append',
  stateFile: string,
): string {
  return writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - ${stream}
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: ${writeMode}
state: { backend: sqlite, connection: ${JSON.stringify(stateFile)} }
resources: { checkpoint_interval_rows: 100, batch_rows: 50 }
`);
}

async function runOk(file: string, env: Record<string, string>): Promise<RunJson> {
  const result = await runCli(['run', '--json', file], { env });
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  const json = JSON.parse(result.stdout) as RunJson;
  expect(json.status).toBe('succeeded');
  return json;
}

async function expectSameTable(src: TestDatabase, dst: TestDatabase, rows: number): Promise<void> {
  const diff = await cluster.compareTables(src.url, 'public.items', dst.url, 'public.items');
  expect(diff.onlyInSource).toEqual([]);
  expect(diff.onlyInDestination).toEqual([]);
  expect([diff.sourceRows, diff.destinationRows]).toEqual([rows, rows]);
}

/** The source application's own writes on its table still work after a run. */
async function applicationWrites(src: TestDatabase, nextId: number): Promise<void> {
  await cluster.psql(
    src.name,
    `INSERT INTO items VALUES (${nextId}, 'app ${nextId}', ${nextId});
    UPDATE items SET name = name || ' (edited)' WHERE id = 1;
    DELETE FROM items WHERE id = 2;`,
  );
}

describe('start-up switches', () => {
  afterAll(async () => {
    await scope.dropAll();
    rmSync(work, { recursive: true, force: true });
  });

  for (const variant of VARIANTS) {
    it(`replace without the resume gate reads every row on every run (${variant.name})`, async () => {
      const tag = variant.name.replace(/\W+/g, '_');
      const src = await scope.create(`su_rep_src_${tag}`, DDL);
      const dst = await scope.create(`su_rep_dst_${tag}`);
      const file = pipeline(
        `startup_replace_${tag}`,
        src,
        dst,
        '{ name: public.items, sync_mode: full_refresh }',
        'replace',
        join(work, `replace-${tag}.db`),
      );
      const first = await runOk(file, variant.env);
      expect(first.streams[0]?.rowsWritten).toBe(500);
      await expectSameTable(src, dst, 500);
      await applicationWrites(src, 1001);
      const second = await runOk(file, variant.env);
      expect(second.streams[0]?.rowsWritten).toBe(500);
      await expectSameTable(src, dst, 500);
    });
  }

  it('an incremental append whose state DB was lost still resumes from the destination watermark (the gate is kept there)', async () => {
    const src = await scope.create('su_inc_src', DDL);
    const dst = await scope.create('su_inc_dst');
    const stateFile = join(work, 'incremental.db');
    const file = pipeline(
      'startup_incremental',
      src,
      dst,
      '{ name: public.items, sync_mode: incremental, cursor_field: cur }',
      'append',
      stateFile,
    );
    expect((await runOk(file, {})).streams[0]?.rowsWritten).toBe(500);
    rmSync(stateFile, { force: true });
    await cluster.psql(src.name, `INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(501, 600) g;`);
    // a first run as far as the state DB knows: only the destination's watermark says where to go on
    const second = await runOk(file, {});
    expect(second.streams[0]?.rowsWritten).toBe(100);
    await expectSameTable(src, dst, 600);
    await applicationWrites(src, 2001);
    expect((await cluster.query(src.name, 'SELECT count(*)::int AS n FROM items')).rows[0].n).toBe(600);
  });
});
