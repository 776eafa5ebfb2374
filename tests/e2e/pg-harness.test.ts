import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testPg } from '../support/test-pg.js';

describe('pg test harness', () => {
  const db = testPg();

  it('runs with wal_level=logical and replication slots', async () => {
    const { rows } = await db.query('postgres', 'SHOW wal_level');
    expect(rows[0].wal_level).toBe('logical');
    const slots = await db.query('postgres', 'SHOW max_replication_slots');
    expect(Number(slots.rows[0].max_replication_slots)).toBeGreaterThanOrEqual(20);
  });

  it('exposes the cluster to test processes through RB_TEST_PG_* env vars too', () => {
    expect(process.env.RB_TEST_PG_HOST).toBe(db.host);
    expect(process.env.RB_TEST_PG_PORT).toBe(String(db.port));
    expect(process.env.RB_TEST_PG_USER).toBe(db.superuser);
  });

  it('enforces password auth for a role with password p@ss:w/rd% and encodes it in URLs', async () => {
    const role = await db.createLoginRole('p@ss:w/rd%');
    const good = new pg.Client({ connectionString: db.url('postgres', role.user, role.password) });
    await good.connect();
    const { rows } = await good.query('SELECT current_user AS u');
    await good.end();
    expect(rows[0].u).toBe(role.user);

    const bad = new pg.Client({ connectionString: db.url('postgres', role.user, 'wrong') });
    await expect(bad.connect()).rejects.toThrow(/password authentication failed/);

    const ready = new pg.Client({
      connectionString: db.url('postgres', db.passwordUser.user, db.passwordUser.password),
    });
    await ready.connect();
    await ready.end();
  });

  it('compareTables reports rows on one side only and tableDigest sees the difference', async () => {
    const src = await db.createDatabase('cmp_src');
    const dst = await db.createDatabase('cmp_dst');
    await db.loadFixture(src.name, 'type-fidelity.sql');
    await db.loadFixture(dst.name, 'type-fidelity.sql');

    const same = await db.compareTables(src.url, 'public.TypeZoo', dst.url, 'public.TypeZoo');
    expect(same).toMatchObject({ equal: true, sourceRows: 20, destinationRows: 20 });
    const d1 = await db.tableDigest(src.url, 'public.TypeZoo', 'id');
    expect(await db.tableDigest(dst.url, 'public.TypeZoo', 'id')).toEqual(d1);

    await db.query(
      dst.name,
      `UPDATE public."TypeZoo" SET c_timestamptz = c_timestamptz + interval '1 microsecond' WHERE id = 3`,
    );
    await db.query(dst.name, `INSERT INTO public."TypeZoo" (id, "select") VALUES (21, 1)`);
    const diff = await db.compareTables(src.url, 'public.TypeZoo', dst.url, 'public.TypeZoo');
    expect(diff.equal).toBe(false);
    expect(diff.onlyInSource.map((r) => [r.id, r.c_timestamptz])).toEqual([['3', '2024-02-29 12:34:56.789012+00']]);
    expect(diff.onlyInDestination.map((r) => [r.id, r.c_timestamptz])).toEqual([
      ['3', '2024-02-29 12:34:56.789013+00'],
      ['21', null],
    ]);
    expect(await db.tableDigest(dst.url, 'public.TypeZoo', 'id')).not.toEqual(d1);

    const narrowed = await db.compareTables(src.url, 'public.TypeZoo', dst.url, 'public.TypeZoo', {
      columns: ['id', 'select'],
    });
    expect(narrowed.onlyInDestination).toEqual([{ id: '21', select: '1' }]);

    await db.dropDatabase(src.name);
    await db.dropDatabase(dst.name);
  });

  it('compares json by text, or by jsonb normal form when asked', async () => {
    const a = await db.createDatabase('json_a');
    const b = await db.createDatabase('json_b');
    await db.query(a.name, `CREATE TABLE t (id int PRIMARY KEY, j json); INSERT INTO t VALUES (1, '{"a": 1}')`);
    await db.query(b.name, `CREATE TABLE t (id int PRIMARY KEY, j json); INSERT INTO t VALUES (1, '{"a":1}')`);
    expect((await db.compareTables(a.url, 't', b.url, 't')).equal).toBe(false);
    expect((await db.compareTables(a.url, 't', b.url, 't', { castJsonToText: false })).equal).toBe(true);
  });
});
