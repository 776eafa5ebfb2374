// Large transactions through CDC with pgoutput protocol 2 streaming (see
// docs/architecture.md#change-data-capture): the source database's logical_decoding_work_mem is
// 64kB, so the walsender streams every transaction past it in chunks while it runs (asserted from
// the hub's debug log). A streamed transaction is applied once, whole, at its commit; an aborted
// one leaves nothing; a rolled-back subtransaction's rows never arrive; chunks of two transactions
// interleave; a column added inside one arrives; kill -9 while one streams and again while it is
// applied, rerun: equal, nothing twice, the slot never acknowledged past the destination; a retry
// behind the hub (which reads again from the slot) and SIGINT while one streams lose nothing.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  editPipeline,
  expectTablesEqual,
  parseJson,
  pgPipeline,
  runCli,
  spawnCli,
  testPg,
  waitFor,
  writePipelineDoc,
  type RunJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);

afterAll(async () => {
  await scope.dropAll();
});

const ARGS = ['run', '--json', '--log-level', 'debug', '--log-format', 'json'];

/** A source database whose walsenders stream any transaction past 64kB of changes. */
async function streamingSource(name: string, ddl: string): Promise<TestDatabase> {
  const src = await scope.create(name, ddl);
  await cluster.query('postgres', `ALTER DATABASE "${src.name}" SET logical_decoding_work_mem = '64kB'`);
  return src;
}

function pipeline(
  name: string,
  src: TestDatabase,
  dst: TestDatabase,
  tables: readonly string[],
  destination?: Record<string, unknown>,
): string {
  return writePipelineDoc(
    pgPipeline({
      name,
      src,
      dst,
      streams: tables.map((t) => ({ name: `public.${t}`, sync_mode: 'cdc' })),
      writeMode: 'upsert',
      destination,
      resources: { batch_rows: 20000 },
    }),
  );
}

/** The replication hub's debug lines about streamed transactions. */
interface StreamLog {
  /** Transactions whose first chunk came. */
  readonly started: number;
  /** Streamed transactions whose commit came: their changes are being routed. */
  readonly replaying: number;
  /** Committed streamed transactions: chunks and changes each. */
  readonly committed: { chunks: number; changes: number; diskBytes: number }[];
  readonly aborted: number;
  readonly protocol: string | undefined;
}

function streamLog(stderr: string): StreamLog {
  let started = 0;
  let replaying = 0;
  let aborted = 0;
  let protocol: string | undefined;
  const committed: StreamLog['committed'] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = (JSON.parse(line) as { message?: string }).message ?? '';
    if (/^transaction \d+ streams in chunks/.test(message)) started++;
    if (/^streamed transaction \d+ commits at \S+: routing/.test(message)) replaying++;
    if (/^streamed transaction \d+ aborted/.test(message)) aborted++;
    const p = /\(pgoutput protocol (\d)/.exec(message);
    if (p) protocol = p[1];
    const c =
      /^streamed transaction \d+ committed at \S+: (\d+) chunks, (\d+) changes(?:, (\d+) bytes spooled to disk)?/.exec(
        message,
      );
    if (c) committed.push({ chunks: Number(c[1]), changes: Number(c[2]), diskBytes: Number(c[3] ?? 0) });
  }
  return { started, replaying, committed, aborted, protocol };
}

async function runOk(file: string, env?: Record<string, string>): Promise<StreamLog> {
  const result = await runCli([...ARGS, file], { env, timeoutMs: 600_000 });
  expect(result.code, result.stderr.slice(-4000)).toBe(0);
  const json = parseJson<RunJson>(result);
  expect(json.streams.map((s) => s.status)).toEqual(json.streams.map(() => 'succeeded'));
  return streamLog(result.stderr);
}

async function count(db: TestDatabase, sql: string): Promise<number> {
  return ((await cluster.query(db.name, sql)).rows[0] as { n: number }).n;
}

async function noDuplicateKeys(db: TestDatabase, table: string): Promise<void> {
  expect(await count(db, `SELECT (count(*) - count(DISTINCT id))::int AS n FROM ${table}`)).toBe(0);
}

/** confirmed_flush_lsn of the slot minus the LSN the destination committed for `stream` (never > 0). */
async function ackAheadOfDestination(
  src: TestDatabase,
  dst: TestDatabase,
  slot: string,
  stream: string,
): Promise<number> {
  const slotRow = await cluster.query(
    src.name,
    `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  const confirmed = (slotRow.rows[0] as { c: string } | undefined)?.c;
  const mark = await cluster.query(
    dst.name,
    `SELECT payload->>'lsn' AS l FROM public._rb_watermarks WHERE stream = $1`,
    [stream],
  );
  const committed = (mark.rows[0] as { l: string } | undefined)?.l;
  if (!confirmed || !committed)
    throw new Error(`no slot position (${confirmed}) or destination watermark (${committed})`);
  const d = await cluster.query(src.name, `SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float8 AS d`, [
    confirmed,
    committed,
  ]);
  return Number((d.rows[0] as { d: number }).d);
}

/** A session of its own (an open transaction across statements). */
async function session(db: TestDatabase): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  return client;
}

describe('cdc: large transactions are streamed (pgoutput protocol 2)', () => {
  it('a 500k-row INSERT and an UPDATE of every row, each one transaction, arrive once and whole', async () => {
    const src = await streamingSource(
      'cdcs_big_src',
      `CREATE TABLE public.big (id int PRIMARY KEY, v int NOT NULL, t text NOT NULL);`,
    );
    const dst = await scope.create('cdcs_big_dst');
    const file = pipeline('cdcs_big', src, dst, ['big']);
    expect((await runOk(file)).protocol).toBe('2');
    // ~160 bytes a change: 500k changes pass the hub's 64 MiB spool memory, the rest goes to disk
    await cluster.psql(
      src.name,
      `INSERT INTO big SELECT g, g % 1000, repeat(md5(g::text), 4) FROM generate_series(1, 500000) g;`,
    );
    const insert = await runOk(file);
    expect(insert.started).toBe(1);
    expect(insert.committed).toHaveLength(1);
    expect(insert.committed[0]?.chunks).toBeGreaterThan(10);
    expect(insert.committed[0]?.changes).toBe(500_000);
    expect(insert.committed[0]?.diskBytes).toBeGreaterThan(0);
    await expectTablesEqual(src, 'big', dst, 'big');
    await noDuplicateKeys(dst, 'big');

    await cluster.psql(src.name, `UPDATE big SET v = v + 1, t = left(t, 20) || id;`);
    const update = await runOk(file);
    expect(update.committed.map((c) => c.changes)).toEqual([500_000]);
    expect(update.committed[0]?.chunks).toBeGreaterThan(10);
    await expectTablesEqual(src, 'big', dst, 'big');
    await noDuplicateKeys(dst, 'big');
    expect(await count(dst, `SELECT count(*)::int AS n FROM big WHERE v = (id % 1000) + 1`)).toBe(500_000);
  }, 900_000);

  it('an aborted streamed transaction leaves nothing; one interleaved with it commits; small ones between arrive', async () => {
    const src = await streamingSource(
      'cdcs_abort_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, who text NOT NULL);`,
    );
    const dst = await scope.create('cdcs_abort_dst');
    const file = pipeline('cdcs_abort', src, dst, ['ev']);
    await runOk(file);
    const a = await session(src);
    const b = await session(src);
    try {
      // two large transactions whose changes alternate: the walsender streams chunks of both in turn
      await a.query('BEGIN');
      await b.query('BEGIN');
      for (let i = 0; i < 4; i++) {
        await a.query(`INSERT INTO ev SELECT g, 'aborted' FROM generate_series($1::int, $1::int + 49999) g`, [
          1_000_000 + i * 50_000,
        ]);
        await b.query(`INSERT INTO ev SELECT g, 'kept' FROM generate_series($1::int, $1::int + 24999) g`, [
          2_000_000 + i * 25_000,
        ]);
        // a small transaction of a third session commits while both run
        await cluster.query(src.name, `INSERT INTO ev VALUES ($1, 'small')`, [i + 1]);
      }
      await a.query('ROLLBACK');
      await b.query('COMMIT');
    } finally {
      await a.end();
      await b.end();
    }
    const log = await runOk(file);
    expect(log.started).toBe(2);
    expect(log.aborted).toBe(1);
    expect(log.committed.map((c) => c.changes)).toEqual([100_000]);
    expect(log.committed[0]?.chunks).toBeGreaterThan(1);
    await expectTablesEqual(src, 'ev', dst, 'ev');
    expect(await count(dst, `SELECT count(*)::int AS n FROM ev WHERE who = 'aborted'`)).toBe(0);
    expect(await count(dst, `SELECT count(*)::int AS n FROM ev WHERE who = 'kept'`)).toBe(100_000);
    expect(await count(dst, `SELECT count(*)::int AS n FROM ev WHERE who = 'small'`)).toBe(4);
  }, 900_000);

  it('ROLLBACK TO SAVEPOINT inside a streamed transaction: only the kept rows arrive', async () => {
    const src = await streamingSource(
      'cdcs_sp_src',
      `CREATE TABLE public.sp (id int PRIMARY KEY, part text NOT NULL);`,
    );
    const dst = await scope.create('cdcs_sp_dst');
    const file = pipeline('cdcs_sp', src, dst, ['sp']);
    await runOk(file);
    await cluster.psql(
      src.name,
      `BEGIN;
INSERT INTO sp SELECT g, 'before' FROM generate_series(1, 30000) g;
SAVEPOINT a;
INSERT INTO sp SELECT g, 'rolled back' FROM generate_series(30001, 60000) g;
SAVEPOINT a_inner;
INSERT INTO sp SELECT g, 'rolled back inner' FROM generate_series(60001, 70000) g;
RELEASE a_inner;
UPDATE sp SET part = 'updated, rolled back' WHERE id <= 1000;
ROLLBACK TO a;
INSERT INTO sp SELECT g, 'after' FROM generate_series(30001, 40000) g;
SAVEPOINT b;
INSERT INTO sp SELECT g, 'released' FROM generate_series(40001, 50000) g;
RELEASE b;
SAVEPOINT c;
DELETE FROM sp WHERE id <= 5000;
ROLLBACK TO c;
UPDATE sp SET part = 'updated' WHERE id > 49000;
COMMIT;`,
    );
    const log = await runOk(file);
    expect(log.committed).toHaveLength(1);
    expect(log.committed[0]?.chunks).toBeGreaterThan(1);
    // 30000 + 10000 + 10000 inserts, 1000 updates kept; the rest was rolled back
    expect(log.committed[0]?.changes).toBe(51_000);
    await expectTablesEqual(src, 'sp', dst, 'sp');
    expect(await count(dst, `SELECT count(*)::int AS n FROM sp`)).toBe(50_000);
    expect(await count(dst, `SELECT count(*)::int AS n FROM sp WHERE part LIKE '%rolled back%'`)).toBe(0);
  }, 900_000);

  it('a column added in the middle of a streamed transaction: its Relation message comes inside a chunk, the rows after it carry the column', async () => {
    const src = await streamingSource(
      'cdcs_ddl_src',
      `CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL);`,
    );
    const dst = await scope.create('cdcs_ddl_dst');
    const file = pipeline('cdcs_ddl', src, dst, ['items'], { schema_evolution: { new_column: 'add' } });
    await runOk(file);
    await cluster.psql(
      src.name,
      `BEGIN;
INSERT INTO items SELECT g, 'before ' || g FROM generate_series(1, 30000) g;
ALTER TABLE items ADD COLUMN price numeric(10,2);
INSERT INTO items SELECT g, 'after ' || g, g / 100.0 FROM generate_series(30001, 60000) g;
UPDATE items SET price = 1.5 WHERE id <= 10;
COMMIT;`,
    );
    const log = await runOk(file);
    expect(log.committed.map((c) => c.changes)).toEqual([60_010]);
    expect(log.committed[0]?.chunks).toBeGreaterThan(1);
    await expectTablesEqual(src, 'items', dst, 'items');
    expect(await count(dst, `SELECT count(*)::int AS n FROM items WHERE price IS NOT NULL`)).toBe(30_010);
  }, 900_000);

  it('a column added in a rolled-back subtransaction of a streamed transaction is not created at the destination', async () => {
    const src = await streamingSource(
      'cdcs_ddlrb_src',
      `CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL);`,
    );
    const dst = await scope.create('cdcs_ddlrb_dst');
    const file = pipeline('cdcs_ddlrb', src, dst, ['items'], { schema_evolution: { new_column: 'add' } });
    await runOk(file);
    await cluster.psql(
      src.name,
      `BEGIN;
INSERT INTO items SELECT g, 'before ' || g FROM generate_series(1, 30000) g;
SAVEPOINT s;
ALTER TABLE items ADD COLUMN junk int;
INSERT INTO items SELECT g, 'rolled back ' || g, g FROM generate_series(30001, 60000) g;
ROLLBACK TO s;
INSERT INTO items SELECT g, 'after ' || g FROM generate_series(30001, 40000) g;
COMMIT;`,
    );
    const log = await runOk(file);
    expect(log.committed.map((c) => c.changes)).toEqual([40_000]);
    await expectTablesEqual(src, 'items', dst, 'items');
    const columns = await cluster.query(
      dst.name,
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'junk'`,
    );
    expect(columns.rows).toEqual([]);
  }, 900_000);

  it('kill -9 while a large transaction streams, rerun: equal to the source, nothing twice', async () => {
    const src = await streamingSource(
      'cdcs_kill_src',
      `CREATE TABLE public.big (id int PRIMARY KEY, v int NOT NULL);
CREATE TABLE public.biglog (id int PRIMARY KEY, v int NOT NULL);`,
    );
    const dst = await scope.create('cdcs_kill_dst');
    const file = pipeline('cdcs_kill', src, dst, ['big']);
    // a second stream keeps a change log of its table: a change applied twice would show there
    editPipeline(file, (p) => p.source.streams.push({ name: 'public.biglog', sync_mode: 'cdc', write_mode: 'append' }));
    await runOk(file);
    await cluster.psql(
      src.name,
      `BEGIN;
INSERT INTO big SELECT g, g FROM generate_series(1, 400000) g;
INSERT INTO biglog SELECT g, g FROM generate_series(1, 400000) g;
COMMIT;`,
    );
    // kill while its chunks come (before its commit is read), then again while its changes are routed to the destination
    for (const phase of ['started', 'replaying'] as const) {
      const cli = spawnCli([...ARGS, file], { timeoutMs: 600_000 });
      await waitFor(
        `the transaction to reach ${phase}`,
        () => Promise.resolve(streamLog(cli.stderrSoFar())[phase] > 0 ? true : undefined),
        { cli, timeoutMs: 300_000, intervalMs: 20 },
      );
      const killed = await cli.kill9();
      expect(killed.signal, phase).toBe('SIGKILL');
      expect(streamLog(killed.stderr).committed, phase).toEqual([]);
      // nothing of it committed at the destination, and the slot not acknowledged past it
      expect(await count(dst, `SELECT count(*)::int AS n FROM big`), phase).toBe(0);
      expect(await ackAheadOfDestination(src, dst, 'rapidbyte_cdcs_kill', 'public.big')).toBeLessThanOrEqual(0);
    }
    const log = await runOk(file);
    expect(log.committed.map((c) => c.changes)).toEqual([800_000]);
    await expectTablesEqual(src, 'big', dst, 'big');
    await noDuplicateKeys(dst, 'big');
    const doubled = await cluster.query(
      dst.name,
      `SELECT id, _rb_op, _rb_lsn, count(*) FROM biglog GROUP BY 1, 2, 3 HAVING count(*) > 1 LIMIT 5`,
    );
    expect(doubled.rows).toEqual([]);
    expect(await count(dst, `SELECT count(*)::int AS n FROM biglog`)).toBe(400_000);
    expect(await ackAheadOfDestination(src, dst, 'rapidbyte_cdcs_kill', 'public.big')).toBeLessThanOrEqual(0);
  }, 900_000);

  it('--follow stopped (SIGINT) while a transaction streams and the slot moved past its start: the rerun gets all of it', async () => {
    const src = await streamingSource(
      'cdcs_open_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL);
CREATE TABLE public.other (id int PRIMARY KEY, v int NOT NULL);`,
    );
    const dst = await scope.create('cdcs_open_dst');
    const file = pipeline('cdcs_open', src, dst, ['ev', 'other']);
    await runOk(file);
    const lsn = async (sql: string): Promise<string> =>
      ((await cluster.query(src.name, sql)).rows[0] as { l: string }).l;
    const a = await session(src);
    try {
      await a.query('BEGIN');
      await a.query(`INSERT INTO ev SELECT g, 1 FROM generate_series(1, 60000) g`);
      const openedBefore = await lsn(`SELECT pg_current_wal_lsn()::text AS l`);
      const follow = spawnCli(['run', '--follow', ...ARGS.slice(1), file], { timeoutMs: 600_000 });
      await waitFor(
        'the open transaction to stream',
        () => Promise.resolve(streamLog(follow.stderrSoFar()).started > 0 ? true : undefined),
        { cli: follow, timeoutMs: 300_000, intervalMs: 50 },
      );
      // a small transaction of another table commits: the slot is acknowledged past the open one's start
      await cluster.query(src.name, `INSERT INTO other VALUES (1, 1)`);
      await waitFor(
        'the slot to pass the start of the open transaction',
        async () => {
          const confirmed = await lsn(
            `SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = 'rapidbyte_cdcs_open'`,
          );
          const d = await cluster.query(src.name, `SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float8 AS d`, [
            confirmed,
            openedBefore,
          ]);
          return Number((d.rows[0] as { d: number }).d) > 0 ? true : undefined;
        },
        { cli: follow, timeoutMs: 120_000, intervalMs: 200 },
      );
      process.kill(follow.pid, 'SIGINT');
      const stopped = await follow.exited;
      expect(stopped.code, stopped.stderr.slice(-3000)).toBe(0);
      expect(streamLog(stopped.stderr).committed).toEqual([]);
      await a.query(`INSERT INTO ev SELECT g, 2 FROM generate_series(60001, 90000) g`);
      await a.query('COMMIT');
    } finally {
      await a.end();
    }
    const log = await runOk(file);
    expect(log.committed.map((c) => c.changes)).toEqual([90_000]);
    await expectTablesEqual(src, 'ev', dst, 'ev');
    await expectTablesEqual(src, 'other', dst, 'other');
  }, 900_000);

  it('a stream retried behind the hub while a transaction streams: the hub reads again from the slot, the transaction streams again from its first chunk and arrives once', async () => {
    const src = await streamingSource(
      'cdcs_retry_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL);
CREATE TABLE public.ev2 (id int PRIMARY KEY, v int NOT NULL);`,
    );
    const dst = await scope.create('cdcs_retry_dst');
    const file = pipeline('cdcs_retry', src, dst, ['ev']);
    // a change log of the second table (in the transaction too): a change applied twice would show there
    editPipeline(file, (p) => p.source.streams.push({ name: 'public.ev2', sync_mode: 'cdc', write_mode: 'append' }));
    await runOk(file);
    const a = await session(src);
    const follow = spawnCli(['run', '--follow', ...ARGS.slice(1), file], { timeoutMs: 600_000 });
    try {
      await a.query('BEGIN');
      await a.query(`INSERT INTO ev SELECT g, 1 FROM generate_series(1, 60000) g`);
      await waitFor(
        'the open transaction to stream',
        () => Promise.resolve(streamLog(follow.stderrSoFar()).started > 0 ? true : undefined),
        { cli: follow, timeoutMs: 300_000, intervalMs: 50 },
      );
      // the destination's connections die: the streams retry and re-attach at what they committed,
      // behind what the hub has read once more commits came
      const killed = await cluster.query(
        'postgres',
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [dst.name],
      );
      expect((killed.rows[0] as { n: number }).n).toBeGreaterThan(0);
      for (let i = 1; i <= 20; i++) {
        await cluster.query(src.name, `INSERT INTO ev VALUES ($1, 2)`, [100_000 + i]);
        await cluster.query(src.name, `INSERT INTO ev2 VALUES ($1, 2)`, [i]);
      }
      await a.query(`INSERT INTO ev SELECT g, 3 FROM generate_series(60001, 70000) g`);
      await a.query(`INSERT INTO ev2 SELECT g, 3 FROM generate_series(1001, 6000) g`);
      await a.query('COMMIT');
      await waitFor(
        'the follower to catch up',
        async () => {
          const diff = await cluster.compareTables(src.url, 'ev', dst.url, 'ev');
          const n2 = await count(dst, `SELECT count(*)::int AS n FROM ev2`).catch(() => 0);
          return diff.onlyInSource.length === 0 && diff.onlyInDestination.length === 0 && n2 >= 5020 ? true : undefined;
        },
        { cli: follow, intervalMs: 500, timeoutMs: 180_000 },
      );
    } finally {
      await a.end();
    }
    process.kill(follow.pid, 'SIGINT');
    const result = await follow.exited;
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    const json = parseJson<RunJson>(result);
    expect(json.streams.find((s) => s.stream === 'public.ev')?.attempts).toBeGreaterThan(1);
    const log = streamLog(result.stderr);
    // streamed before the restart and again after it (from its first chunk); each restart reads the
    // committed transaction again from the slot, and the streams skip what they already took in
    expect(log.started).toBeGreaterThanOrEqual(2);
    expect(log.committed.length).toBeGreaterThanOrEqual(1);
    for (const c of log.committed) expect(c.changes).toBe(75_000);
    await expectTablesEqual(src, 'ev', dst, 'ev');
    const doubled = await cluster.query(
      dst.name,
      `SELECT id, _rb_op, _rb_lsn, count(*) FROM ev2 GROUP BY 1, 2, 3 HAVING count(*) > 1 LIMIT 5`,
    );
    expect(doubled.rows).toEqual([]);
    expect(await count(dst, `SELECT count(*)::int AS n FROM ev2`)).toBe(5020);
    expect(await ackAheadOfDestination(src, dst, 'rapidbyte_cdcs_retry', 'public.ev')).toBeLessThanOrEqual(0);
  }, 900_000);

  it('RAPIDBYTE_CDC_STREAMING=off: protocol 1, the same transaction arrives whole after the server decoded it', async () => {
    const src = await streamingSource('cdcs_off_src', `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL);`);
    const dst = await scope.create('cdcs_off_dst');
    const file = pipeline('cdcs_off', src, dst, ['ev']);
    const env = { RAPIDBYTE_CDC_STREAMING: 'off' };
    expect((await runOk(file, env)).protocol).toBe('1');
    await cluster.psql(src.name, `INSERT INTO ev SELECT g, g FROM generate_series(1, 50000) g;`);
    const log = await runOk(file, env);
    expect(log.protocol).toBe('1');
    expect(log.started).toBe(0);
    await expectTablesEqual(src, 'ev', dst, 'ev');
  }, 900_000);
});
