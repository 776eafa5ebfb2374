// CDC under faults (see docs/architecture.md#cdc-exactly-once): kill -9 during `--follow` under a write load, then a rerun ends
// equal with nothing lost or doubled, and the slot is never acknowledged past what the destination
// committed (also while the destination fails); SIGINT on --follow drains, commits and exits 0;
// an invalidated slot fails with its specific error and the recovery command; a `state reset`
// drops the slot; a 2M-row source transaction streams with bounded engine memory.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  editPipeline,
  expectTablesEqual,
  parseJson,
  pgPipeline,
  runCli,
  runSucceeded,
  spawnCli,
  testPg,
  waitFor,
  writePipelineDoc,
  type RunJson,
  type StreamJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);

afterAll(async () => {
  await scope.dropAll();
});

function pipeline(name: string, src: TestDatabase, dst: TestDatabase, table: string): string {
  return writePipelineDoc(
    pgPipeline({
      name,
      src,
      dst,
      streams: [{ name: table, sync_mode: 'cdc' }],
      writeMode: 'upsert',
      resources: { batch_rows: 5000 },
    }),
  );
}

async function expectEqual(src: TestDatabase, dst: TestDatabase, table: string): Promise<void> {
  await expectTablesEqual(src, table, dst, table);
}

/** confirmed_flush_lsn - the destination watermark's LSN (must never be > 0). */
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
  if (!confirmed || !committed) return 0;
  const d = await cluster.query(src.name, `SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float8 AS d`, [
    confirmed,
    committed,
  ]);
  return Number((d.rows[0] as { d: number }).d);
}

/** Writes inserts/updates/deletes in small transactions until stopped. */
function writeLoad(db: TestDatabase, table: string, firstId: number): { stop: () => Promise<number> } {
  let running = true;
  let count = 0;
  const done = (async () => {
    for (let i = 0; running; i++) {
      const id = firstId + i;
      await cluster.query(
        db.name,
        `INSERT INTO ${table} (id, v) SELECT g, 0 FROM generate_series($1::int, $1::int + 9) g`,
        [id * 10],
      );
      await cluster.query(db.name, `UPDATE ${table} SET v = v + 1 WHERE id = $1`, [((i * 37) % 1000) + 1]);
      if (i % 4 === 0) await cluster.query(db.name, `DELETE FROM ${table} WHERE id = $1`, [id * 10 + 3]);
      count++;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return count;
    },
  };
}

describe('cdc --follow under faults', () => {
  it('kill -9 during --follow under a write load, rerun: nothing lost or doubled; the slot never gets ahead of the destination', async () => {
    const src = await scope.create(
      'cdc_kill_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.ev SELECT g, 0 FROM generate_series(1, 1000) g;
CREATE TABLE public.evlog (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.evlog SELECT g, 0 FROM generate_series(1, 1000) g;`,
    );
    const dst = await scope.create('cdc_kill_dst');
    const file = pipeline('cdc_kill', src, dst, 'public.ev');
    // a second stream keeps a change log of its table: a change applied twice would show there
    editPipeline(file, (p) => p.source.streams.push({ name: 'public.evlog', sync_mode: 'cdc', write_mode: 'append' }));
    await runSucceeded(file);
    const load = writeLoad(src, 'ev', 1000);
    const logLoad = writeLoad(src, 'evlog', 1000);
    const follow = spawnCli(['run', '--follow', file]);
    // wait until the follower has committed changes, then kill it while the load goes on
    await waitFor(
      'the follower to commit changes',
      async () => {
        const r = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM ev WHERE id > 10000`);
        return (r.rows[0] as { n: number }).n > 200 ? true : undefined;
      },
      { cli: follow, timeoutMs: 120_000, intervalMs: 200 },
    );
    expect(await ackAheadOfDestination(src, dst, 'rapidbyte_cdc_kill', 'public.ev')).toBeLessThanOrEqual(0);
    await follow.kill9();
    expect(await ackAheadOfDestination(src, dst, 'rapidbyte_cdc_kill', 'public.ev')).toBeLessThanOrEqual(0);
    const writes = await load.stop();
    await logLoad.stop();
    expect(writes).toBeGreaterThan(20);
    await runSucceeded(file);
    await expectEqual(src, dst, 'ev');
    expect(await ackAheadOfDestination(src, dst, 'rapidbyte_cdc_kill', 'public.ev')).toBeLessThanOrEqual(0);
    const doubled = await cluster.query(
      dst.name,
      `SELECT id, _rb_op, _rb_lsn, count(*) FROM evlog GROUP BY 1, 2, 3 HAVING count(*) > 1 LIMIT 5`,
    );
    expect(doubled.rows).toEqual([]);
    await cluster.psql(
      dst.name,
      `CREATE TABLE evlog_replayed AS SELECT id, v FROM (SELECT DISTINCT ON (id) * FROM evlog ORDER BY id, _rb_lsn DESC, (_rb_op <> 'r') DESC) last WHERE _rb_op <> 'D'`,
    );
    const diff = await cluster.compareTables(src.url, 'evlog', dst.url, 'evlog_replayed');
    expect([diff.onlyInSource, diff.onlyInDestination]).toEqual([[], []]);
  });

  it('with the destination failing, the slot stays at or below what the destination committed; the rerun catches up', async () => {
    const src = await scope.create(
      'cdc_dstfail_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.ev SELECT g, 0 FROM generate_series(1, 100) g;`,
    );
    const dst = await scope.create('cdc_dstfail_dst');
    const file = pipeline('cdc_dstfail', src, dst, 'public.ev');
    await runSucceeded(file);
    // the destination now rejects big values: every change batch with one fails
    await cluster.query(dst.name, `ALTER TABLE ev ADD CONSTRAINT small CHECK (v < 1000)`);
    await cluster.psql(
      src.name,
      `INSERT INTO ev SELECT g, 1 FROM generate_series(101, 200) g; UPDATE ev SET v = 5000 WHERE id = 7;`,
    );
    const failed = await runCli(['run', '--json', file]);
    expect(failed.code).not.toBe(0);
    expect(await ackAheadOfDestination(src, dst, 'rapidbyte_cdc_dstfail', 'public.ev')).toBeLessThanOrEqual(0);
    await cluster.query(dst.name, `ALTER TABLE ev DROP CONSTRAINT small`);
    await runSucceeded(file);
    await expectEqual(src, dst, 'ev');
  });

  it('a killed destination connection during --follow is retried: the stream re-attaches behind the hub, which reads again from the slot; nothing lost or doubled', async () => {
    const src = await scope.create(
      'cdc_retry_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.ev SELECT g, 0 FROM generate_series(1, 100) g;`,
    );
    const dst = await scope.create('cdc_retry_dst');
    const file = pipeline('cdc_retry', src, dst, 'public.ev');
    // a second stream of the same source keeps going while the first one retries
    editPipeline(file, (p) => p.source.streams.push({ name: 'public.ev2', sync_mode: 'cdc' }));
    await cluster.psql(src.name, `CREATE TABLE public.ev2 (id int PRIMARY KEY, v int NOT NULL);`);
    const follow = spawnCli(['run', '--follow', '--json', file]);
    await waitFor(
      'the snapshot',
      async () => {
        const r = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM ev`).catch(() => undefined);
        return r && (r.rows[0] as { n: number }).n === 100 ? true : undefined;
      },
      { cli: follow, intervalMs: 200 },
    );
    const load = writeLoad(src, 'ev', 100);
    await new Promise((r) => setTimeout(r, 1500));
    // kill the destination's connections (the follower's writers): a transient failure
    const killed = await cluster.query(
      'postgres',
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [dst.name],
    );
    expect((killed.rows[0] as { n: number }).n).toBeGreaterThan(0);
    await cluster.psql(src.name, `INSERT INTO ev2 SELECT generate_series(1, 50), 1;`);
    await new Promise((r) => setTimeout(r, 3000));
    await load.stop();
    await waitFor(
      'the follower to catch up',
      async () => {
        const diff = await cluster.compareTables(src.url, 'ev', dst.url, 'ev');
        const n2 = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM ev2`).catch(() => undefined);
        return diff.onlyInSource.length === 0 &&
          diff.onlyInDestination.length === 0 &&
          n2 &&
          (n2.rows[0] as { n: number }).n === 50
          ? true
          : undefined;
      },
      { cli: follow, intervalMs: 500, timeoutMs: 60_000 },
    );
    process.kill(follow.pid, 'SIGINT');
    const result = await follow.exited;
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson<RunJson>(result);
    expect(json.streams.find((s) => s.stream === 'public.ev')?.attempts).toBeGreaterThan(1);
    await expectEqual(src, dst, 'ev');
    await expectEqual(src, dst, 'ev2');
    expect(await ackAheadOfDestination(src, dst, 'rapidbyte_cdc_retry', 'public.ev')).toBeLessThanOrEqual(0);
  });

  it('a killed replication connection during --follow is retried through a new hub; nothing lost or doubled', async () => {
    const src = await scope.create(
      'cdc_walsender_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.ev SELECT g, 0 FROM generate_series(1, 100) g;`,
    );
    const dst = await scope.create('cdc_walsender_dst');
    const file = pipeline('cdc_walsender', src, dst, 'public.ev');
    const follow = spawnCli(['run', '--follow', '--json', file]);
    const walsender = await waitFor(
      'the walsender',
      async () => {
        const r = await cluster.query(
          src.name,
          `SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'rapidbyte_cdc_walsender' AND active`,
        );
        return (r.rows[0] as { active_pid: number } | undefined)?.active_pid;
      },
      { cli: follow, intervalMs: 200 },
    );
    const load = writeLoad(src, 'ev', 100);
    await new Promise((r) => setTimeout(r, 1000));
    await cluster.query('postgres', `SELECT pg_terminate_backend($1)`, [walsender]);
    await new Promise((r) => setTimeout(r, 2000));
    await load.stop();
    await waitFor(
      'the follower to catch up',
      async () => {
        const diff = await cluster.compareTables(src.url, 'ev', dst.url, 'ev');
        return diff.onlyInSource.length === 0 && diff.onlyInDestination.length === 0 ? true : undefined;
      },
      { cli: follow, intervalMs: 500, timeoutMs: 60_000 },
    );
    process.kill(follow.pid, 'SIGINT');
    const result = await follow.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson<RunJson>(result).streams[0]?.attempts).toBeGreaterThan(1);
    await expectEqual(src, dst, 'ev');
  });

  it('SIGINT on --follow drains, commits, acknowledges and exits 0', async () => {
    const src = await scope.create(
      'cdc_sigint_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.ev SELECT g, 0 FROM generate_series(1, 100) g;`,
    );
    const dst = await scope.create('cdc_sigint_dst');
    const file = pipeline('cdc_sigint', src, dst, 'public.ev');
    const follow = spawnCli(['run', '--follow', '--json', file]);
    await waitFor(
      'the snapshot',
      async () => {
        const r = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM ev`).catch(() => undefined);
        return r && (r.rows[0] as { n: number }).n === 100 ? true : undefined;
      },
      { cli: follow, intervalMs: 200 },
    );
    await cluster.psql(src.name, `INSERT INTO ev SELECT g, 1 FROM generate_series(101, 150) g;`);
    await waitFor(
      'the changes',
      async () => {
        const r = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM ev`);
        return (r.rows[0] as { n: number }).n === 150 ? true : undefined;
      },
      { cli: follow, intervalMs: 200 },
    );
    const t0 = Date.now();
    process.kill(follow.pid, 'SIGINT');
    const result = await follow.exited;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson<RunJson & { streams: (StreamJson & { lsn?: string })[] }>(result);
    expect(json.streams[0]?.status).toBe('succeeded');
    const slot = await cluster.query(
      src.name,
      `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = 'rapidbyte_cdc_sigint'`,
    );
    expect((slot.rows[0] as { c: string }).c).toBe(json.streams[0]?.lsn);
    await expectEqual(src, dst, 'ev');
  });
});

describe('cdc slot operations', () => {
  it('an invalidated slot fails with SLOT_INVALIDATED and the recovery command; state reset drops the slot and re-snapshots', async () => {
    const src = await scope.create(
      'cdc_lost_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int); CREATE TABLE public.filler (v text); INSERT INTO public.ev VALUES (1, 1);`,
    );
    const dst = await scope.create('cdc_lost_dst');
    const file = pipeline('cdc_lost', src, dst, 'public.ev');
    await runSucceeded(file);
    await cluster.psql(src.name, `INSERT INTO ev VALUES (2, 2);`);
    try {
      await cluster.query(src.name, `ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'`);
      await cluster.query(src.name, `SELECT pg_reload_conf()`);
      for (let i = 0; i < 4; i++) {
        await cluster.psql(
          src.name,
          `INSERT INTO filler SELECT repeat('f', 1000) FROM generate_series(1, 3000); SELECT pg_switch_wal();`,
        );
      }
      await cluster.query(src.name, 'CHECKPOINT');
      const lost = await waitFor(
        'the slot to be invalidated',
        async () => {
          await cluster.query(src.name, 'CHECKPOINT');
          const r = await cluster.query(
            src.name,
            `SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'rapidbyte_cdc_lost'`,
          );
          return (r.rows[0] as { wal_status: string } | undefined)?.wal_status === 'lost' ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(lost).toBe(true);
    } finally {
      await cluster.query(src.name, `ALTER SYSTEM RESET max_slot_wal_keep_size`);
      await cluster.query(src.name, `SELECT pg_reload_conf()`);
    }
    const failed = await runCli(['run', '--json', file]);
    expect(failed.code).not.toBe(0);
    const json = parseJson<RunJson>(failed);
    expect(json.streams[0]?.error?.code).toBe('SLOT_INVALIDATED');
    expect(json.streams[0]?.error?.message).toContain('rapidbyte state reset');
    // the destination was not re-snapshotted silently
    expect((await cluster.query(dst.name, `SELECT count(*)::int AS n FROM ev`)).rows[0]).toEqual({ n: 1 });
    const reset = await runCli(['state', 'reset', file]);
    expect(reset.code, reset.stderr).toBe(0);
    const slots = await cluster.query(
      src.name,
      `SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = 'rapidbyte_cdc_lost'`,
    );
    expect(slots.rows[0]).toEqual({ n: 0 });
    await runSucceeded(file);
    await expectEqual(src, dst, 'ev');
  });

  it('a 2M-row source transaction streams with bounded engine memory', async () => {
    const src = await scope.create(
      'cdc_big_src',
      `CREATE TABLE public.big (id int PRIMARY KEY, v int NOT NULL, t text);`,
    );
    const dst = await scope.create('cdc_big_dst');
    const file = pipeline('cdc_big', src, dst, 'public.big');
    await runSucceeded(file);
    await cluster.psql(src.name, `INSERT INTO big SELECT g, g % 1000, 'row ' || g FROM generate_series(1, 2000000) g;`);
    const run = spawnCli(['run', '--json', file], { timeoutMs: 600_000 });
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${run.pid}/status`, 'utf8');
        const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (kb > peakKb) peakKb = kb;
      } catch {
        /* exited */
      }
    }, 100);
    const result = await run.exited;
    clearInterval(poll);
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson<RunJson>(result);
    expect(json.streams[0]?.rowsWritten).toBe(2_000_000);
    const count = await cluster.query(dst.name, `SELECT count(*)::int AS n, sum(v)::int8::text AS s FROM big`);
    expect(count.rows[0]).toEqual({ n: 2_000_000, s: String((999 * 1000 * 2000) / 2) });
    process.stderr.write(`cdc 2M-row transaction: peak RSS ${(peakKb / 1024).toFixed(0)} MB\n`);
    expect(peakKb / 1024).toBeLessThan(700);
  }, 600_000);
});
