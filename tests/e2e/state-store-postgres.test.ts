// The state DB on PostgreSQL (see docs/architecture.md#state-db): the same StateStore contract suite the
// SQLite store passes, plus what only Postgres has — schema migrations under an advisory lock,
// a schema option, and a pipeline lock that dies with its holder's connection (kill -9).
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateError } from '../../packages/engine/src/state/state-error.js';
import { POSTGRES_MIGRATIONS, migratePostgres } from '../../packages/engine/src/state/postgres-migrations.js';
import { openPostgresStateStore } from '../../packages/engine/src/state/postgres-state-store.js';
import type { StateStore } from '../../packages/engine/src/state/state-store.js';
import {
  describeStateStoreContract,
  stateErrorOf,
} from '../../packages/engine/src/state/test-support/state-store-contract.js';
import pg from 'pg';
import { REPO_ROOT } from '../support/run-cli.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';

const cluster = testPg();
const host = hostname();

describeStateStoreContract('postgres', async (options) => {
  const db = await cluster.createDatabase('state_contract');
  const opened: StateStore[] = [await openPostgresStateStore(db.url, options)];
  return {
    store: opened[0] as StateStore,
    async reopen() {
      const store = await openPostgresStateStore(db.url);
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const store of opened) await store.close();
      await cluster.dropDatabase(db.name);
    },
  };
});

describe('postgres state store', () => {
  const created: TestDatabase[] = [];
  const stores: StateStore[] = [];
  async function freshDb(): Promise<TestDatabase> {
    const db = await cluster.createDatabase('state_pg');
    created.push(db);
    return db;
  }
  async function open(url: string, schema?: string): Promise<StateStore> {
    const store = await openPostgresStateStore(url, schema === undefined ? {} : { schema });
    stores.push(store);
    return store;
  }
  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const db of created) await cluster.dropDatabase(db.name);
  });

  it('creates the rapidbyte schema with every table and records each migration, once', async () => {
    const db = await freshDb();
    // two engines starting at once on a fresh database: the advisory lock lets one migrate
    await Promise.all([open(db.url), open(db.url), open(db.url)]);
    const versions = await cluster.query(db.name, 'SELECT version FROM rapidbyte.schema_migrations ORDER BY version');
    expect(versions.rows.map((r: { version: number }) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
    const tables = await cluster.query(
      db.name,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'rapidbyte' ORDER BY 1`,
    );
    expect(tables.rows.map((r: { table_name: string }) => r.table_name)).toEqual([
      'alert_states',
      'cdc_lag_samples',
      'connector_state',
      'cursors',
      'dead_letters',
      'deliveries',
      'events',
      'notification_targets',
      'pipeline_locks',
      'run_transitions',
      'runs',
      'schedule_ticks',
      'schema_migrations',
      'state_transitions',
      'stream_runs',
    ]);
    const cursorType = await cluster.query(
      db.name,
      `SELECT data_type FROM information_schema.columns WHERE table_schema = 'rapidbyte' AND table_name = 'cursors' AND column_name = 'cursor_value'`,
    );
    expect(cursorType.rows[0]).toEqual({ data_type: 'text' });
    // reopening is a no-op that keeps the data
    const first = await open(db.url);
    const runId = await first.beginRun('p', ['a']);
    expect((await (await open(db.url)).getRun(runId))?.pipeline).toBe('p');
    expect(
      (await cluster.query(db.name, 'SELECT count(*)::int AS n FROM rapidbyte.schema_migrations')).rows[0],
    ).toEqual({ n: POSTGRES_MIGRATIONS.length });
  });

  it('a schema option keeps a separate state (mixed case works), locks included', async () => {
    const db = await freshDb();
    const a = await open(db.url);
    const b = await open(db.url, 'Team State');
    await a.putKv('s', 'k', 'in rapidbyte');
    expect(await b.getKv('s', 'k')).toBeUndefined();
    await b.putKv('s', 'k', 'in Team State');
    expect(await a.getKv('s', 'k')).toBe('in rapidbyte');
    const releaseA = await a.acquirePipelineLock('orders', { pid: process.pid, host });
    const releaseB = await b.acquirePipelineLock('orders', { pid: process.pid, host }); // another state DB, another lock
    await releaseA();
    await releaseB();
    const rows = await cluster.query(db.name, `SELECT value FROM "Team State".connector_state`);
    expect(rows.rows).toEqual([{ value: 'in Team State' }]);
  });

  it('migratePostgres applies only the missing migrations, rolls a failing one back, refuses a newer schema', async () => {
    const db = await freshDb();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      const one = [(s: string) => `CREATE TABLE ${s}.a (x int)`];
      expect(await migratePostgres(pool, 'm', one)).toEqual({ from: 0, to: 1 });
      expect(await migratePostgres(pool, 'm', [...one, (s: string) => `CREATE TABLE ${s}.b (y int)`])).toEqual({
        from: 1,
        to: 2,
      });
      await expect(
        migratePostgres(pool, 'm', [
          ...one,
          (s) => `CREATE TABLE ${s}.b (y int)`,
          (s) => `CREATE TABLE ${s}.c (z int)`,
          () => 'CREATE TABLE oops (',
        ]),
      ).rejects.toThrow();
      expect((await pool.query('SELECT max(version)::int AS v FROM m.schema_migrations')).rows[0]).toEqual({ v: 2 });
      expect((await pool.query(`SELECT to_regclass('m.c') AS t`)).rows[0]).toEqual({ t: null });
      const error = await stateErrorOf(migratePostgres(pool, 'm', one));
      expect(error.code).toBe('SCHEMA_TOO_NEW');
      expect(error.details).toMatchObject({ found: 2, supported: 1 });
    } finally {
      await pool.end();
    }
  });

  it('never puts the connection URL or its password in an error', async () => {
    const db = await freshDb();
    const role = await cluster.createLoginRole('right-Pa55word');
    const url = cluster.url(db.name, role.user, 'wrong-Pa55word');
    const error = (await openPostgresStateStore(url).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(`${error.message} ${error.stack ?? ''}`).not.toContain('wrong-Pa55word');
    expect(error.message).not.toContain(url);
  });

  it('the lock is a session advisory lock on a dedicated connection, gone after release', async () => {
    const db = await freshDb();
    const store = await open(db.url);
    const advisoryLocks = async (): Promise<number> =>
      (
        await cluster.query(
          db.name,
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = $1)`,
          [db.name],
        )
      ).rows[0].n as number;
    const release = await store.acquirePipelineLock('orders', { pid: process.pid, host });
    expect(await advisoryLocks()).toBe(1);
    expect((await cluster.query(db.name, 'SELECT pipeline, pid, host FROM rapidbyte.pipeline_locks')).rows).toEqual([
      { pipeline: 'orders', pid: process.pid, host },
    ]);
    await release();
    expect(await advisoryLocks()).toBe(0);
    expect((await cluster.query(db.name, 'SELECT count(*)::int AS n FROM rapidbyte.pipeline_locks')).rows[0]).toEqual({
      n: 0,
    });
  });

  describe('a lock held by a process killed with SIGKILL', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await freshDb();
    });

    it('refuses while the holder lives (naming its pid) and is free once it is killed', async () => {
      const stateModule = pathToFileURL(join(REPO_ROOT, 'packages/engine/dist/state/index.js')).href;
      const script = `
        const { openPostgresStateStore } = await import(${JSON.stringify(stateModule)});
        const store = await openPostgresStateStore(process.env.RB_STATE_URL);
        await store.acquirePipelineLock('killed', { pid: process.pid, host: ${JSON.stringify(host)} });
        process.stdout.write('locked\\n');
        setInterval(() => undefined, 1000);`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, RB_STATE_URL: db.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      try {
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
          child.on('exit', () => reject(new Error(`lock holder exited early: ${stderr}`)));
        });
        const store = await open(db.url);
        const refused = await stateErrorOf(store.acquirePipelineLock('killed', { pid: process.pid, host }));
        expect(refused.code).toBe('PIPELINE_LOCKED');
        expect(refused.details).toMatchObject({ pipeline: 'killed', pid: child.pid, host });
        expect(refused.message).toContain(`pid ${child.pid}`);

        child.kill('SIGKILL');
        await exited;
        // the server notices the dropped connection and frees the session lock
        let release: (() => Promise<void>) | undefined;
        const deadline = Date.now() + 15_000;
        while (release === undefined) {
          try {
            release = await store.acquirePipelineLock('killed', { pid: process.pid, host });
          } catch (error) {
            if (!(error instanceof StateError) || Date.now() > deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        // the dead holder's row was replaced by this holder's
        expect((await cluster.query(db.name, 'SELECT pid FROM rapidbyte.pipeline_locks')).rows).toEqual([
          { pid: process.pid },
        ]);
        await release();
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('its open run is left alone while it lives and closed as interrupted once it is killed, keeping its committed counts', async () => {
      const stateModule = pathToFileURL(join(REPO_ROOT, 'packages/engine/dist/state/index.js')).href;
      const script = `
        const { openPostgresStateStore } = await import(${JSON.stringify(stateModule)});
        const store = await openPostgresStateStore(process.env.RB_STATE_URL);
        await store.acquirePipelineLock('killed_run', { pid: process.pid, host: ${JSON.stringify(host)} });
        const runId = await store.beginRun('killed_run', ['orders', 'items']);
        await store.startRun(runId);
        await store.transition(runId, 'orders', 'running');
        await store.recordStreamCounts(runId, 'orders', { rowsRead: 900, rowsWritten: 800, bytesRead: 9000, bytesWritten: 8000 });
        process.stdout.write('running ' + runId + '\\n');
        setInterval(() => undefined, 1000);`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, RB_STATE_URL: db.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      try {
        const runId = await new Promise<number>((resolve, reject) => {
          child.stdout.on('data', (d: Buffer) => {
            const m = /running (\d+)/.exec(d.toString());
            if (m) resolve(Number(m[1]));
          });
          child.on('exit', () => reject(new Error(`run holder exited early: ${stderr}`)));
        });
        const store = await open(db.url);
        expect(await store.closeInterruptedRuns()).toEqual([]); // its advisory lock is held: it lives
        expect((await store.getRun(runId))?.status).toBe('running');

        child.kill('SIGKILL');
        await exited;
        // the server notices the dropped connection and frees the session lock
        let closed: number[] = [];
        const deadline = Date.now() + 15_000;
        while (closed.length === 0 && Date.now() < deadline) {
          closed = await store.closeInterruptedRuns('killed_run');
          if (closed.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(closed).toEqual([runId]);
        const run = await store.getRun(runId);
        expect(run?.status).toBe('interrupted');
        expect(run?.holder).toEqual({ pid: child.pid, host });
        expect(run?.streams.map((s) => [s.stream, s.status, s.counts.rowsWritten])).toEqual([
          ['orders', 'interrupted', 800],
          ['items', 'interrupted', 0],
        ]);
        expect((await store.listRunTransitions(runId)).map((t) => [t.from, t.to])).toEqual([
          [null, 'pending'],
          ['pending', 'running'],
          ['running', 'interrupted'],
        ]);
        expect((await store.listRunTransitions(runId)).at(-1)?.reason).toBe(
          `its process (pid ${child.pid} on host ${host}) went away without closing the run: its state DB session ended, freeing the pipeline lock (held by pid ${child.pid} on host ${host})`,
        );
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
});
