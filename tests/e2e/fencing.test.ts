// Destination-side fencing (see docs/architecture.md#fencing): two processes load the same
// destination stream, each with its own state DB (so the pipeline lock does not keep the second
// out), the way a chain re-run on another worker overlaps the worker that stopped answering. Run A
// is stopped (SIGSTOP) after its first commit; run B takes the stream over and loads it; A, woken
// up (SIGCONT), has its next commit refused with FENCED, and the destination ends equal to the
// source with no row twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIG_COLUMNS_DDL,
  cliOutput,
  databaseScope,
  duplicateKeys,
  expectTablesEqual,
  pacedTableDdl,
  parseJson,
  pgPipeline,
  rowCount,
  shuffledBigTableSql,
  spawnCli,
  testPg,
  waitFor,
  writePipelineDoc,
  type SpawnedCli,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const ROWS = 200_000;
const CHUNK = 20_000;
const TABLE = 'public.big';

/** The FENCED message of the stopped run A (epoch 1), refused because B took epoch 2. */
const REFUSED = `${TABLE}: another attempt (epoch 2) took over this stream since this attempt started (epoch 1): its commit was refused, nothing written`;

function pipelineFile(name: string, src: TestDatabase, dst: TestDatabase, writeMode: string): string {
  // one file (and so one state DB beside it) per call
  return writePipelineDoc(
    pgPipeline({
      name,
      src,
      dst,
      streams: [{ name: TABLE, sync_mode: 'full_refresh' }],
      writeMode,
      destination: writeMode === 'upsert' ? { primary_key: ['id'] } : {},
      resources: { checkpoint_interval_rows: CHUNK, batch_rows: 5000 },
    }),
  );
}

/** Backends of the pipeline's connectors in `db` (application_name `rapidbyte/<pipeline>`). */
async function backends(db: TestDatabase, pipeline: string, extra = ''): Promise<number[]> {
  const r = await cluster.query(
    'postgres',
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND backend_type = 'client backend' ${extra}`,
    [db.name, `rapidbyte/${pipeline}`],
  );
  return r.rows.map((row: { pid: number }) => row.pid);
}

/** The stream's epoch in the destination's watermark table (undefined: no row yet). */
async function epochOf(dst: TestDatabase, pipeline: string, stream = TABLE): Promise<number | undefined> {
  const r = await cluster.query(
    dst.name,
    `SELECT epoch::int AS e FROM public._rb_watermarks WHERE pipeline = $1 AND stream = $2`,
    [pipeline, stream],
  );
  return (r.rows[0] as { e: number } | undefined)?.e;
}

/**
 * Waits until B is done or stuck behind the stopped A: B's destination backends (those not A's)
 * wait on a lock A holds (upsert: A's uncommitted rows of the same keys; replace: A's swap lock).
 */
async function waitDoneOrBlocked(b: SpawnedCli, dst: TestDatabase, pipeline: string, aPids: number[]): Promise<string> {
  return waitFor(
    'run B to finish, or to wait for a lock of the stopped run A',
    async () => {
      if (b.result()) return 'done';
      const waiting = await backends(dst, pipeline, `AND wait_event_type = 'Lock'`);
      return waiting.some((pid) => !aPids.includes(pid)) ? 'blocked' : undefined;
    },
    { timeoutMs: 180_000 },
  );
}

describe('fencing: a stopped attempt woken up after another took its stream over', () => {
  let src: TestDatabase;
  const databases = databaseScope(cluster);

  beforeAll(async () => {
    src = await databases.create('fence_src');
    await cluster.psql(src.name, shuffledBigTableSql(TABLE, ROWS));
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it.each(['append', 'upsert'] as const)(
    'full_refresh %s: A stopped after its first commit, B loads the stream, A woken up is FENCED; no row twice',
    async (writeMode) => {
      const name = `fence_${writeMode}`;
      // append without a key: a row loaded twice would be stored twice
      const dst = await databases.create(
        name,
        pacedTableDdl(TABLE, BIG_COLUMNS_DDL, writeMode === 'upsert' ? ', PRIMARY KEY (id)' : ''),
      );
      const a = spawnCli(['run', '--json', pipelineFile(name, src, dst, writeMode)]);
      const b = { file: pipelineFile(name, src, dst, writeMode) };
      let stopped = false;
      try {
        await waitFor("run A's first commit", async () => ((await rowCount(dst, TABLE)) >= CHUNK ? true : undefined), {
          cli: a,
        });
        process.kill(a.pid, 'SIGSTOP');
        stopped = true;
        const committed = await rowCount(dst, TABLE);
        expect(committed).toBeLessThan(ROWS);
        expect(await epochOf(dst, name)).toBe(1);
        const aPids = await backends(dst, name);
        // changed after A read them, past what A committed (in key order; at most one COMMIT of A's
        // still in flight): an upsert that let A's stale rows in after B's would differ from the source
        if (writeMode === 'upsert')
          await cluster.psql(
            src.name,
            `UPDATE ${TABLE} SET hash = 'changed during upsert' WHERE id % 1000 = 0 AND id > ${committed + CHUNK}`,
          );

        const runB = spawnCli(['run', '--json', b.file]);
        const how = await waitDoneOrBlocked(runB, dst, name, aPids);
        // B took the stream over before it read where to resume
        expect(await epochOf(dst, name)).toBe(2);
        if (writeMode === 'append') expect(how).toBe('done'); // nothing of A's blocks an append
        process.kill(a.pid, 'SIGCONT');
        stopped = false;

        const [ra, rb] = await Promise.all([a.exited, runB.exited]);
        expect(rb.code, cliOutput(rb)).toBe(0);
        const summaryB = parseJson(rb);
        expect(summaryB.status).toBe('succeeded');
        // B resumed after A's committed chunks (the destination's watermark), it did not start over
        expect(summaryB.streams[0]?.rowsRead).toBeLessThan(ROWS);

        expect(ra.code, cliOutput(ra)).toBe(1);
        expect(`${ra.stdout}\n${ra.stderr}`).toContain('FENCED');
        expect(`${ra.stdout}\n${ra.stderr}`).toContain(REFUSED);
        expect(parseJson(ra).status).toBe('failed');

        await expectTablesEqual(src, TABLE, dst, TABLE, { rows: ROWS });
        expect(await duplicateKeys(dst, TABLE)).toEqual([]);
        // the epoch stays B's; the watermark is B's last (complete) checkpoint
        expect(await epochOf(dst, name)).toBe(2);
      } finally {
        if (stopped) process.kill(a.pid, 'SIGCONT');
        await a.kill9();
      }
    },
  );

  it('a watermark table created before fencing gets its epoch column; its rows and the load carry on', async () => {
    const name = 'fence_migrate';
    const dst = await databases.create(
      name,
      `CREATE TABLE public._rb_watermarks (pipeline text NOT NULL, stream text NOT NULL, payload jsonb NOT NULL,
         updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (pipeline, stream));
       INSERT INTO public._rb_watermarks (pipeline, stream, payload) VALUES ('other', 'public.t', '{"cursor": 7}');`,
    );
    const run = spawnCli(['run', '--json', pipelineFile(name, src, dst, 'append')]);
    const result = await run.exited;
    expect(result.code, cliOutput(result)).toBe(0);
    await expectTablesEqual(src, TABLE, dst, TABLE, { rows: ROWS });
    const rows = await cluster.query(
      dst.name,
      `SELECT pipeline, payload::text AS payload, epoch::int AS epoch FROM public._rb_watermarks ORDER BY pipeline`,
    );
    expect(rows.rows.map((r: { pipeline: string; payload: string; epoch: number }) => [r.pipeline, r.epoch])).toEqual([
      [name, 1],
      ['other', 0],
    ]);
    expect(rows.rows[1].payload).toBe('{"cursor": 7}');
    const nullable = await cluster.query(
      dst.name,
      `SELECT is_nullable FROM information_schema.columns WHERE table_name = '_rb_watermarks' AND column_name = 'payload'`,
    );
    expect(nullable.rows[0].is_nullable).toBe('YES');
  });

  it('replace: A stopped mid-load, B takes the stream over and waits for the swap lock; A woken up has its swap refused, B swaps', async () => {
    const name = 'fence_replace';
    const dst = await databases.create(
      name,
      `${pacedTableDdl(TABLE, BIG_COLUMNS_DDL)}
      INSERT INTO ${TABLE} VALUES (1, 0, 'old', 0, '2000-01-01'), (2, 0, 'old', 0, '2000-01-01');`,
    );
    const a = spawnCli(['run', '--json', pipelineFile(name, src, dst, 'replace')]);
    const fileB = pipelineFile(name, src, dst, 'replace');
    let stopped = false;
    try {
      await waitFor(
        "run A's staging COPY to be under way",
        async () =>
          (await backends(dst, name, `AND state = 'active' AND query ILIKE 'COPY%'`)).length > 0 ? true : undefined,
        { cli: a },
      );
      process.kill(a.pid, 'SIGSTOP');
      stopped = true;
      const aPids = await backends(dst, name);
      // changed after A read it: the table must end as B's copy of the source
      await cluster.psql(src.name, `UPDATE ${TABLE} SET hash = 'changed during replace' WHERE id % 1000 = 0`);

      const runB = spawnCli(['run', '--json', fileB]);
      expect(await waitDoneOrBlocked(runB, dst, name, aPids)).toBe('blocked');
      expect(await epochOf(dst, name)).toBe(2);
      expect(await rowCount(dst, TABLE)).toBe(2); // nothing swapped yet
      process.kill(a.pid, 'SIGCONT');
      stopped = false;

      const ra = await a.exited;
      expect(ra.code, cliOutput(ra)).toBe(1);
      expect(`${ra.stdout}\n${ra.stderr}`).toContain('FENCED');
      expect(`${ra.stdout}\n${ra.stderr}`).toContain(REFUSED);
      expect(ra.stderr).not.toMatch(/replaced "public"\."big"/);
      const rb = await runB.exited;
      expect(rb.code, cliOutput(rb)).toBe(0);
      expect(parseJson(rb).status).toBe('succeeded');

      await expectTablesEqual(src, TABLE, dst, TABLE, { rows: ROWS });
      expect(await rowCount(dst, TABLE, `hash = 'changed during replace'`)).toBe(ROWS / 1000);
      const left = await cluster.query(dst.name, `SELECT relname FROM pg_class WHERE relname LIKE '%rb\\_stage%'`);
      expect(left.rows).toEqual([]);
    } finally {
      if (stopped) process.kill(a.pid, 'SIGCONT');
      await a.kill9();
    }
  });

  it('cdc upsert: once a newer session took the stream, the --follow session cannot apply; the slot stays behind; a rerun catches up', async () => {
    const name = 'fence_cdc';
    const cdcSrc = await databases.create(
      'fence_cdc_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.ev SELECT g, 0 FROM generate_series(1, 100) g;`,
    );
    const dst = await databases.create(name);
    const file = writePipelineDoc(
      pgPipeline({
        name,
        src: cdcSrc,
        dst,
        streams: [{ name: 'public.ev', sync_mode: 'cdc' }],
        writeMode: 'upsert',
      }),
    );
    const follow = spawnCli(['run', '--follow', '--json', file]);
    try {
      const committedLsn = async (): Promise<string | undefined> => {
        const r = await cluster.query(
          dst.name,
          `SELECT payload->>'lsn' AS l FROM public._rb_watermarks WHERE pipeline = $1 AND stream = 'public.ev'`,
          [name],
        );
        return (r.rows[0] as { l: string | null } | undefined)?.l ?? undefined;
      };
      await waitFor(
        'the snapshot to commit',
        async () => {
          const r = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM ev`).catch(() => undefined);
          return r && (r.rows[0] as { n: number }).n === 100 && (await committedLsn()) ? true : undefined;
        },
        { cli: follow, intervalMs: 200 },
      );
      // what a newer session of the stream does first (another worker re-running the chain)
      await cluster.query(
        dst.name,
        `UPDATE public._rb_watermarks SET epoch = epoch + 1 WHERE pipeline = $1 AND stream = 'public.ev' RETURNING epoch`,
        [name],
      );
      const before = await committedLsn();
      await cluster.psql(
        cdcSrc.name,
        `INSERT INTO ev SELECT g, 1 FROM generate_series(101, 150) g; UPDATE ev SET v = 2 WHERE id <= 10;`,
      );
      const result = await follow.exited;
      expect(result.code, cliOutput(result)).toBe(1);
      expect(`${result.stdout}\n${result.stderr}`).toContain('FENCED');
      expect(`${result.stdout}\n${result.stderr}`).toContain(
        'public.ev: another attempt (epoch 2) took over this stream since this attempt started (epoch 1): its commit was refused, nothing written',
      );
      // nothing of the changes was applied, the watermark did not move, the slot was not acknowledged past it
      const rows = await cluster.query(dst.name, `SELECT count(*)::int AS n, sum(v)::int AS s FROM ev`);
      expect(rows.rows[0]).toEqual({ n: 100, s: 0 });
      expect(await committedLsn()).toBe(before);
      const slot = await cluster.query(
        cdcSrc.name,
        `SELECT pg_wal_lsn_diff(confirmed_flush_lsn, $1::pg_lsn)::float8 AS ahead FROM pg_replication_slots WHERE slot_name = $2`,
        [before, `rapidbyte_${name}`],
      );
      expect((slot.rows[0] as { ahead: number }).ahead).toBeLessThanOrEqual(0);

      const rerun = spawnCli(['run', '--json', file]);
      const again = await rerun.exited;
      expect(again.code, cliOutput(again)).toBe(0);
      await expectTablesEqual(cdcSrc, 'public.ev', dst, 'public.ev', { rows: 150 });
      expect(await epochOf(dst, name, 'public.ev')).toBe(3);
    } finally {
      await follow.kill9();
    }
  });
});
