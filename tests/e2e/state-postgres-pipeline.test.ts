// A pipeline whose state DB is PostgreSQL (`state: { backend: postgres, connection: <url> }`,
// see docs/architecture.md#state-db): the run, its history (`rapidbyte runs`), its cursor (`rapidbyte state show`)
// and the incremental resume all live in a separate Postgres database; no SQLite file is made,
// and the state DB password (given as ${VAR}) never shows in any output or in the state tables.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectJson,
  pgEndpoint,
  runCli,
  testPg,
  writePipeline,
  type CliResult,
  type RunJson,
  type RunsJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const STATE_PASSWORD = 'StatePw_7fz2Q';
const TABLE = 'public.items';

describe('state DB on PostgreSQL, end to end', () => {
  let src: TestDatabase;
  let dst: TestDatabase;
  let stateDb: TestDatabase;
  let file: string;
  const outputs: CliResult[] = [];
  const cli = async (args: string[]): Promise<CliResult> => {
    const result = await runCli(args, { env: { RB_STATE_PW: STATE_PASSWORD } });
    outputs.push(result);
    return result;
  };

  beforeAll(async () => {
    src = await cluster.createDatabase('statepg_src');
    dst = await cluster.createDatabase('statepg_dst');
    stateDb = await cluster.createDatabase('statepg_state');
    const role = await cluster.createLoginRole(STATE_PASSWORD, { prefix: 'state_owner' });
    await cluster.query('postgres', `ALTER DATABASE "${stateDb.name}" OWNER TO "${role.user}"`);
    await cluster.psql(
      src.name,
      `
      CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, cur bigint NOT NULL, payload text NOT NULL);
      INSERT INTO ${TABLE} SELECT g, g, md5(g::text) FROM generate_series(1, 2000) g;`,
    );
    file = writePipeline(`version: "1.0"
pipeline: state_on_pg
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: ${TABLE}, sync_mode: incremental, cursor_field: cur }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: append
state: { backend: postgres, connection: "postgres://${role.user}:\${RB_STATE_PW}@${cluster.host}:${cluster.port}/${stateDb.name}" }
resources: { checkpoint_interval_rows: 500, batch_rows: 250 }
`);
  });

  afterAll(async () => {
    for (const db of [src, dst, stateDb]) if (db) await cluster.dropDatabase(db.name);
  });

  it('runs, lists its runs and resumes an incremental stream from the cursor stored in Postgres', async () => {
    const first = expectJson<RunJson>(await cli(['run', '--json', file]));
    expect(first.status).toBe('succeeded');
    expect(first.streams.map((s) => [s.rowsRead, s.rowsWritten])).toEqual([[2000, 2000]]);
    expect(existsSync(join(dirname(file), '.rapidbyte'))).toBe(false); // no SQLite state beside the pipeline

    // the run and the cursor are in the state database, schema rapidbyte
    const stored = await cluster.query(
      stateDb.name,
      `SELECT run_id::int AS run_id, pipeline, status FROM rapidbyte.runs`,
    );
    expect(stored.rows).toEqual([{ run_id: first.runId, pipeline: 'state_on_pg', status: 'succeeded' }]);
    const cursor = await cluster.query(
      stateDb.name,
      `SELECT cursor_field, cursor_value FROM rapidbyte.cursors WHERE pipeline = 'state_on_pg'`,
    );
    expect(cursor.rows).toEqual([{ cursor_field: 'cur', cursor_value: '2000' }]);
    const shown = expectJson<{ stream: string; cursorValue?: string }[]>(await cli(['state', 'show', file, '--json']));
    expect(shown).toMatchObject([{ stream: TABLE, cursorValue: '2000' }]);

    // the second run reads from the stored cursor on, not the table
    await cluster.psql(src.name, `INSERT INTO ${TABLE} SELECT g, g, 'new ' || g FROM generate_series(2001, 2050) g;`);
    const second = expectJson<RunJson>(await cli(['run', '--json', file]));
    expect(second.status).toBe('succeeded');
    const stream = second.streams[0];
    expect(stream?.rowsWritten).toBe(50);
    expect(stream?.rowsRead).toBeGreaterThanOrEqual(50);
    expect(stream?.rowsRead).toBeLessThan(100);
    const diff = await cluster.compareTables(src.url, TABLE, dst.url, TABLE);
    expect([diff.onlyInSource, diff.onlyInDestination, diff.sourceRows, diff.destinationRows]).toEqual([
      [],
      [],
      2050,
      2050,
    ]);
    expect(expectJson<{ cursorValue?: string }[]>(await cli(['state', 'show', file, '--json']))[0]?.cursorValue).toBe(
      '2050',
    );

    // `rapidbyte runs --pipeline <yaml>` reads the Postgres state DB of that pipeline
    const runs = expectJson<RunsJson[]>(await cli(['runs', '--pipeline', file, '--json']));
    expect(runs.map((r) => [r.runId, r.pipeline, r.status])).toEqual([
      [second.runId, 'state_on_pg', 'succeeded'],
      [first.runId, 'state_on_pg', 'succeeded'],
    ]);
    expect(runs[0]?.streams).toMatchObject([
      { stream: TABLE, status: 'succeeded', attempts: 1, counts: { rowsWritten: 50 } },
    ]);
    expect(runs[0]?.transitions.map((t) => [t.from, t.to])).toEqual([
      [null, 'pending'],
      ['pending', 'running'],
      ['running', 'succeeded'],
    ]);
    const text = await cli(['runs', '--pipeline', file]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(String(second.runId));
    expect(text.stdout).toContain(TABLE);

    // state reset goes to the same database
    expect((await cli(['state', 'reset', file])).code).toBe(0);
    expect((await cluster.query(stateDb.name, `SELECT count(*)::int AS n FROM rapidbyte.cursors`)).rows[0]).toEqual({
      n: 0,
    });
  });

  it('the state DB password never appears in any output nor in the state tables', async () => {
    expect(outputs.length).toBeGreaterThan(0);
    for (const o of outputs) {
      expect(o.stdout).not.toContain(STATE_PASSWORD);
      expect(o.stderr).not.toContain(STATE_PASSWORD);
    }
    const dump = await cluster.psql(
      stateDb.name,
      `
      SELECT string_agg(t::text, E'\\n') FROM (
        SELECT r::text AS t FROM rapidbyte.runs r UNION ALL SELECT s::text FROM rapidbyte.stream_runs s
        UNION ALL SELECT x::text FROM rapidbyte.state_transitions x UNION ALL SELECT c::text FROM rapidbyte.connector_state c
        UNION ALL SELECT l::text FROM rapidbyte.pipeline_locks l) q;`,
    );
    expect(dump.length).toBeGreaterThan(0);
    expect(dump).not.toContain(STATE_PASSWORD);
  });

  it('a wrong state DB password fails the run with the password redacted', async () => {
    const result = await runCli(['run', file], { env: { RB_STATE_PW: 'Wrong_pw_9x' } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/password authentication failed/);
    expect(`${result.stdout}${result.stderr}`).not.toContain('Wrong_pw_9x');
  });
});
