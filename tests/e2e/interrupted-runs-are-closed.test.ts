// A run whose process is gone is closed, never left `running`: kill -9 mid-stream, and the next
// run (or `rapidbyte runs` itself) records the killed run and its streams as `interrupted`, with
// the rows their committed checkpoints covered and the run's own transitions. A run that fails at
// start (a wrong destination password) is `failed` with its error, and no password is stored.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../packages/engine/dist/state/index.js';
import { pgEndpoint, runCli, writePipeline, type CliResult } from '../support/run-cli.js';
import { spawnCli, waitFor } from '../support/spawn-cli.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';
import { databaseScope } from '../support/database-scope.js';
import { BIG_COLUMNS_DDL, pacedTableDdl, shuffledBigTableSql } from '../support/paced-table.js';

const cluster = testPg();
const ROWS = 200_000;
const CHUNK = 20_000;
const TABLE = 'public.big';

interface TransitionJson {
  from: string | null;
  to: string;
  at: string;
  reason?: string;
  stream?: string;
}
interface RunJson {
  runId: number;
  pipeline: string;
  status: string;
  startedAt: string;
  finishedAt?: string;
  holder?: { pid: number; host: string };
  error?: { code: string; kind: string; message: string };
  streams: {
    stream: string;
    status: string;
    attempts: number;
    finishedAt?: string;
    counts: { rowsRead: number; rowsWritten: number };
  }[];
  runTransitions: TransitionJson[];
  transitions: TransitionJson[];
}

function pipelineFile(name: string, src: TestDatabase, dst: TestDatabase): string {
  return writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: ${TABLE}, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: append
resources: { checkpoint_interval_rows: ${CHUNK}, batch_rows: 5000 }
`);
}

function statePath(file: string): string {
  return join(dirname(file), '.rapidbyte', 'state.db');
}

/** `rapidbyte runs --json` for the pipeline, newest first. */
async function runsJson(file: string, env?: Record<string, string>): Promise<RunJson[]> {
  const result = await runCli(['runs', '--json', '--pipeline', file], { env });
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as RunJson[];
}

/** Rows the state DB records as committed for the pipeline's newest run (the run still going), or undefined. */
async function recordedRows(file: string): Promise<number | undefined> {
  let state;
  try {
    state = openSqliteStateStore(statePath(file));
  } catch {
    return undefined; // not created yet
  }
  try {
    const rows = (await state.listRuns({ limit: 1 }))[0]?.streams[0]?.counts.rowsWritten ?? 0;
    return rows > 0 ? rows : undefined;
  } finally {
    await state.close();
  }
}

async function count(db: TestDatabase): Promise<number> {
  return Number((await cluster.query(db.name, `SELECT count(*)::int AS n FROM ${TABLE}`)).rows[0].n);
}

/** Waits until Postgres has noticed the dead client: its backends are gone, so what is committed is final. */
async function waitBackendsGone(dbs: TestDatabase[], pipeline: string): Promise<void> {
  for (const db of dbs) {
    await waitFor(
      `the backends of ${pipeline} in ${db.name} to end`,
      async () => {
        const r = await cluster.query(
          'postgres',
          `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND backend_type = 'client backend'`,
          [db.name, `rapidbyte/${pipeline}`],
        );
        return r.rows.length === 0 ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
  }
}

/**
 * Starts a run, waits until the state DB records a committed checkpoint's rows (or, should it
 * never record them while running, until three chunks are committed), kills it with SIGKILL;
 * returns the rows seen recorded and what the destination holds.
 */
async function killAfterACommit(
  file: string,
  name: string,
  src: TestDatabase,
  dst: TestDatabase,
): Promise<{ seen: number; committed: number; pid: number }> {
  const cli = spawnCli(['run', '--json', file]);
  const seen = await waitFor(
    'a committed checkpoint recorded in the run history',
    async () => {
      return (await recordedRows(file)) ?? ((await count(dst)) >= 3 * CHUNK ? 0 : undefined);
    },
    { cli, intervalMs: 100 },
  );
  const killed = await cli.kill9();
  expect(killed.signal).toBe('SIGKILL');
  await waitBackendsGone([src, dst], name);
  const committed = await count(dst);
  expect(committed).toBeLessThan(ROWS); // really killed mid-stream
  return { seen, committed, pid: cli.pid };
}

function expectInterrupted(run: RunJson, o: { seen: number; committed: number; pid: number; reason: RegExp }): void {
  expect(run.status).toBe('interrupted');
  expect(run.finishedAt).toMatch(/Z$/);
  expect(run.holder?.pid).toBe(o.pid);
  expect(run.runTransitions.map((t) => [t.from, t.to])).toEqual([
    [null, 'pending'],
    ['pending', 'running'],
    ['running', 'interrupted'],
  ]);
  expect(run.runTransitions.at(-1)?.reason).toMatch(o.reason);
  const stream = run.streams[0];
  expect(stream?.status).toBe('interrupted');
  expect(stream?.finishedAt).toMatch(/Z$/);
  // the rows its committed checkpoints covered: at least what was seen recorded, never more than the destination holds
  const written = stream?.counts.rowsWritten ?? 0;
  expect(written).toBeGreaterThanOrEqual(o.seen);
  expect(written).toBeGreaterThan(0);
  expect(written).toBeLessThanOrEqual(o.committed);
  expect(written % CHUNK).toBe(0); // commits happen at chunk ends only
  expect(stream?.counts.rowsRead).toBeGreaterThanOrEqual(written);
  expect(run.transitions.filter((t) => t.stream === TABLE).map((t) => t.to)).toEqual([
    'pending',
    'running',
    'interrupted',
  ]);
  expect(run.transitions.at(-1)?.reason).toBe(run.runTransitions.at(-1)?.reason);
}

describe('interrupted runs are closed, never left running', () => {
  let src: TestDatabase;
  const databases = databaseScope(cluster);

  beforeAll(async () => {
    src = await databases.create('intr_src');
    await cluster.psql(src.name, shuffledBigTableSql(TABLE, ROWS));
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('a run killed with kill -9 mid-stream is closed as interrupted by the next run, with its committed rows; the next run succeeds', async () => {
    const name = 'intr_next_run';
    const dst = await databases.create(name, pacedTableDdl(TABLE, BIG_COLUMNS_DDL));
    const file = pipelineFile(name, src, dst);
    const killed = await killAfterACommit(file, name, src, dst);

    const rerun = await runCli(['run', '--json', file]);
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    expect(rerun.stderr).toMatch(
      /run \d+ of intr_next_run was left open by a process that is gone: recorded as interrupted/,
    );
    const diff = await cluster.compareTables(src.url, TABLE, dst.url, TABLE);
    expect(diff).toMatchObject({
      onlyInSourceCount: 0,
      onlyInDestinationCount: 0,
      sourceRows: ROWS,
      destinationRows: ROWS,
    });

    const [second, first, ...older] = await runsJson(file);
    expect(older).toEqual([]);
    expect(second?.status).toBe('succeeded');
    expect(second?.runTransitions.map((t) => t.to)).toEqual(['pending', 'running', 'succeeded']);
    expect(second?.streams[0]?.status).toBe('succeeded');
    expect(second?.holder?.pid).not.toBe(killed.pid);
    expectInterrupted(first as RunJson, {
      ...killed,
      reason: new RegExp(
        `^its process \\(pid ${killed.pid} on host .+\\) no longer holds the pipeline lock: pid \\d+ on host .+ took it over at `,
      ),
    });

    const text = await runCli(['runs', '--pipeline', file]);
    expect(text.stdout).toMatch(
      new RegExp(`^run ${first?.runId}  intr_next_run  interrupted  .* → .*Z  \\(pid ${killed.pid} on .+\\)$`, 'm'),
    );
    expect(text.stdout).toMatch(
      new RegExp(`^  public\\.big  interrupted  read \\d+  written ${first?.streams[0]?.counts.rowsWritten}  `, 'm'),
    );
    expect(text.stdout).toMatch(
      /^ {2}\S+Z {2}run running → interrupted {2}\(its process \(pid \d+ on host .+\) no longer holds the pipeline lock/m,
    );
  });

  it('rapidbyte runs closes a killed run as interrupted by itself: its pid is no longer running on this host', async () => {
    const name = 'intr_runs_cmd';
    const dst = await databases.create(name, pacedTableDdl(TABLE, BIG_COLUMNS_DDL));
    const file = pipelineFile(name, src, dst);
    const killed = await killAfterACommit(file, name, src, dst);

    const [run, ...older] = await runsJson(file);
    expect(older).toEqual([]);
    expectInterrupted(run as RunJson, {
      ...killed,
      reason: new RegExp(
        `^its process \\(pid ${killed.pid} on host .+\\) went away without closing the run: pid ${killed.pid} is no longer running on this host$`,
      ),
    });
    // closed once: listing again changes nothing
    expect(await runsJson(file)).toEqual([run]);

    const rerun = await runCli(['run', '--json', file]);
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    expect(rerun.stderr).not.toMatch(/left open/);
    expect((await runsJson(file)).map((r) => r.status)).toEqual(['succeeded', 'interrupted']);
    const diff = await cluster.compareTables(src.url, TABLE, dst.url, TABLE);
    expect(diff).toMatchObject({
      onlyInSourceCount: 0,
      onlyInDestinationCount: 0,
      sourceRows: ROWS,
      destinationRows: ROWS,
    });
  });
});

describe('a run that fails at start is failed with its error', () => {
  const PASSWORD = 'Right-pw@1';
  const WRONG = 'Wr0ng:pw/%x';
  const databases = databaseScope(cluster);
  afterAll(async () => {
    await databases.dropAll();
  });

  function expectNoPassword(text: string | Buffer, what: string): void {
    for (const pw of [PASSWORD, WRONG]) {
      for (const form of [pw, encodeURIComponent(pw), Buffer.from(pw).toString('base64')]) {
        expect(
          typeof text === 'string' ? text.includes(form) : text.includes(Buffer.from(form)),
          `${what} contains ${form}`,
        ).toBe(false);
      }
    }
  }

  it('a wrong destination password: the run is failed with AUTH_FAILED, its streams failed, no password in runs or the state DB', async () => {
    const { user } = await cluster.createLoginRole(PASSWORD, { prefix: 'rb_intr' });
    const src = await databases.create(
      'intr_pw_src',
      'CREATE TABLE public.accounts (id int PRIMARY KEY, email text); INSERT INTO public.accounts SELECT g, g::text FROM generate_series(1, 100) g;',
    );
    const dst = await databases.create('intr_pw_dst');
    const file = writePipeline(`version: "1.0"
pipeline: intr_bad_password
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.accounts, sync_mode: full_refresh }
destination:
  use: dest-postgres
  config: { host: 127.0.0.1, port: ${cluster.port}, user: ${user}, password: "\${RB_DST_PW}", database: ${dst.name} }
  permissions: { network: { allowed_hosts: [127.0.0.1] } }
  write_mode: replace
`);
    const result: CliResult = await runCli(['run', file], { env: { RB_DST_PW: WRONG } });
    expect(result.stdout + result.stderr).not.toMatch(/invalid pipeline config/);
    expect(result.code, `${result.stdout}\n${result.stderr}`).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('AUTH_FAILED');

    const env = { RB_DST_PW: WRONG };
    const [run, ...older] = await runsJson(file, env);
    expect(older).toEqual([]);
    expect(run?.status).toBe('failed');
    expect(run?.finishedAt).toMatch(/Z$/);
    expect(run?.error).toMatchObject({ code: 'AUTH_FAILED', kind: 'permanent' });
    expect(run?.error?.message).toMatch(/^public\.accounts: .*authentication failed/i);
    expect(run?.runTransitions.map((t) => [t.from, t.to])).toEqual([
      [null, 'pending'],
      ['pending', 'running'],
      ['running', 'failed'],
    ]);
    expect(run?.runTransitions.at(-1)?.reason).toMatch(
      /^1 of 1 stream did not succeed; AUTH_FAILED: public\.accounts: .*authentication failed/i,
    );
    expect(run?.streams[0]).toMatchObject({ status: 'failed' });

    const text = await runCli(['runs', '--pipeline', file], { env });
    expect(text.stdout).toMatch(/^run \d+ {2}intr_bad_password {2}failed {2}/m);
    expect(text.stdout).toMatch(/^ {2}error: permanent AUTH_FAILED: public\.accounts: .*authentication failed/im);
    const json = await runCli(['runs', '--json', '--pipeline', file], { env });
    for (const out of [result.stdout, result.stderr, text.stdout, text.stderr, json.stdout, json.stderr])
      expectNoPassword(out, 'output');
    const stateDir = dirname(statePath(file));
    for (const f of readdirSync(stateDir)) expectNoPassword(readFileSync(join(stateDir, f)), f);
  });

  it('a run that throws after it began (a corrupt stored LSN) is closed failed with the error, not left pending', async () => {
    const src = await databases.create(
      'intr_throw_src',
      "CREATE TABLE public.items (id int PRIMARY KEY, v text); INSERT INTO public.items VALUES (1, 'a');",
    );
    const dst = await databases.create('intr_throw_dst');
    const file = writePipeline(`version: "1.0"
pipeline: intr_throw
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.items, sync_mode: cdc }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
`);
    // the stored resume point of the CDC stream is damaged: the run fails while opening replication, after it began
    const seeded = openSqliteStateStore(statePath(file));
    await seeded.putKv('rapidbyte.checkpoint', 'intr_throw/public.items', JSON.stringify({ lsn: 'not-an-lsn' }));
    await seeded.close();

    const result = await runCli(['run', file]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).not.toBe(0);
    expect(result.stderr).toMatch(/invalid LSN "not-an-lsn"/);
    const [run, ...older] = await runsJson(file);
    expect(older).toEqual([]);
    expect(run?.status).toBe('failed');
    expect(run?.finishedAt).toMatch(/Z$/);
    expect(run?.error?.message).toMatch(/^invalid LSN "not-an-lsn"/);
    expect(run?.runTransitions.map((t) => [t.from, t.to])).toEqual([
      [null, 'pending'],
      ['pending', 'failed'],
    ]);
    expect(run?.runTransitions.at(-1)?.reason).toBe(`${run?.error?.code}: ${run?.error?.message}`);
    // its stream never started: closed with the run
    expect(run?.streams[0]?.status).toBe('failed');
    expect(run?.transitions.map((t) => [t.from, t.to])).toEqual([
      [null, 'pending'],
      ['pending', 'failed'],
    ]);
  });
});
