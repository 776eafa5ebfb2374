import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  batchFromRows,
  ConnectorHarness,
  failure,
  FakePostgres,
  type ContextOverrides,
  type FakePostgresOptions,
} from '@rapidbyte/sdk/testing';
import { RESOLVE_TABLE_SQL, TABLE_COLUMNS_SQL } from '../src/target-catalog.js';
import { epochFenceSql, fencedWatermarkSql, readWatermarkSql, takeEpochSql } from '../src/watermark-sql.js';

// dest-postgres's append flow on the SDK's in-memory host: no database. The fake catalog knows the
// target table only once the connector has created it.
const harness = await ConnectorHarness.load(fileURLToPath(new URL('..', import.meta.url)));
/** The error a session ended with (undefined when it succeeded). */
const errorOf = (run: {
  outcome: { ok: true } | { ok: false; error: { readonly message: string } };
}): { readonly message: string } | undefined => (run.outcome.ok ? undefined : run.outcome.error);
const config = { url: 'postgres://loader:secret@wh.internal:5432/wh', schema: 'raw' };
/** The columns of `raw.users` as the catalog query returns them. */
const USERS_COLUMNS = {
  rows: [
    ['id', 'bigint', '20', 'N', 'true', '[]'],
    ['email', 'text', '25', 'S', 'true', '[]'],
  ],
};

describe('dest-postgres on the harness', () => {
  it('append: creates the table, COPYs the frames, commits them with the watermark at the marker and reports the commit', async () => {
    let created = false;
    const pg = new FakePostgres({
      query: (sql) => {
        if (/^CREATE TABLE IF NOT EXISTS "raw"\."users"/.test(sql)) created = true;
        if (sql === RESOLVE_TABLE_SQL) return { rows: created ? [['16500']] : [] };
        if (sql === TABLE_COLUMNS_SQL) return USERS_COLUMNS;
        return undefined;
      },
    });
    const frame = batchFromRows([
      { id: 1, email: 'a@x' },
      { id: 2, email: null },
    ]);
    const run = await harness.write({
      config,
      context: { pipeline: 'p', stream: { name: 'public.users', writeMode: 'append', destinationTable: 'users' } },
      input: [frame, { checkpoint: { mode: 'full_refresh', complete: true, rows: 2 } }],
      handlers: pg.handlers,
    });
    expect(run.outcome.ok).toBe(true);
    expect(run.result).toEqual({ rows: 2, frames: 1 });
    expect(created).toBe(true);
    expect(pg.copyIns).toHaveLength(1);
    expect(pg.copyIns[0]?.sql).toMatch(/^COPY "raw"\."users" \("id", "email"\) FROM STDIN/);
    expect(pg.copyIns[0]?.frames.map((f) => f.numRows)).toEqual([2]);
    const sqls = pg.queries.map((q) => q.sql);
    const watermark = sqls.findIndex(
      (s) => s.includes('_rb_watermarks') && s.startsWith('INSERT') && s.includes('payload'),
    );
    // inside the load's transaction (the one before it took the new table's key off)
    expect(sqls.lastIndexOf('BEGIN', watermark)).toBeGreaterThan(sqls.indexOf('COMMIT'));
    expect(sqls.indexOf('COMMIT', watermark)).toBeGreaterThan(watermark);
    // the engine learns the marker is committed only after the COMMIT; first it heard that the
    // destination holds nothing of the stream (no table yet), so the source starts from the beginning
    expect(run.checkpoints).toEqual([
      { kind: 'resume', payload: { mode: 'none', reason: 'the destination table "raw"."users" does not exist' } },
      { kind: 'committed', payload: { mode: 'full_refresh', complete: true, rows: 2 } },
    ]);
    expect(pg.open.size).toBe(0);
  });

  /**
   * A fake whose target `raw.users` exists; the stream takes epoch `epoch` and every commit finds
   * `current` (the stream's current epoch then). `first` answers a query before those defaults
   * (undefined: fall through); `copyIn` checks each COPY frame.
   */
  function usersPostgres(
    options: {
      readonly epoch?: string;
      readonly current?: string;
      readonly first?: FakePostgresOptions['query'];
      readonly copyIn?: FakePostgresOptions['copyIn'];
    } = {},
  ): FakePostgres {
    const { epoch = '1', current = epoch } = options;
    return new FakePostgres({
      ...(options.copyIn ? { copyIn: options.copyIn } : {}),
      query: (sql, params) => {
        const answer = options.first?.(sql, params);
        if (answer !== undefined) return answer;
        if (sql === RESOLVE_TABLE_SQL) return { rows: [['16500']] };
        if (sql === TABLE_COLUMNS_SQL) return USERS_COLUMNS;
        if (sql === takeEpochSql('raw')) return { rows: [[epoch]] };
        if (sql === fencedWatermarkSql('raw') || sql === epochFenceSql('raw')) return { rows: [[current]] };
        return undefined;
      },
    });
  }

  /** A fake whose target `raw.users` exists; the stream took epoch 3, `current` is what the commit finds. */
  const fencedPostgres = (current: string, copyFails = false): FakePostgres =>
    usersPostgres({
      epoch: '3',
      current,
      ...(copyFails
        ? {
            copyIn: () =>
              failure(
                'SQLSTATE_23505',
                'duplicate key value violates unique constraint "users_pkey"',
                'permanent',
                '23505',
              ),
          }
        : {}),
    });
  const context = {
    pipeline: 'p',
    stream: { name: 'public.users', writeMode: 'append' as const, destinationTable: 'users' },
  };

  /** A session of `public.users` (append) writing one row and its full-refresh marker. */
  const writeOneRow = (pg: FakePostgres, stream: NonNullable<ContextOverrides['stream']> = {}) =>
    harness.write({
      config,
      context: { ...context, stream: { ...context.stream, ...stream } },
      input: [batchFromRows([{ id: 1, email: 'a@x' }]), { checkpoint: { mode: 'full_refresh', rows: 1 } }],
      handlers: pg.handlers,
    });

  it('takes the epoch before it reads the resume point, and commits with it when it is still current', async () => {
    const pg = fencedPostgres('3');
    const run = await writeOneRow(pg);
    expect(run.outcome.ok).toBe(true);
    const sqls = pg.queries.map((q) => q.sql);
    const taken = sqls.indexOf(takeEpochSql('raw'));
    expect(taken).toBeGreaterThan(-1);
    expect(taken).toBeLessThan(sqls.indexOf(readWatermarkSql('raw')));
    expect(pg.queries[taken]?.params).toEqual(['p', 'public.users']);
    const write = pg.queries.find((q) => q.sql === fencedWatermarkSql('raw'));
    expect(write?.params).toEqual(['p', 'public.users', '{"mode":"full_refresh","rows":1}', '3']);
    // committed at once; afterwards only the look for a primary key still owed (a read)
    const after = sqls.slice(sqls.indexOf(fencedWatermarkSql('raw')) + 1);
    expect(after[0]).toBe('COMMIT');
    expect(after.slice(1).filter((s) => !s.startsWith('SELECT'))).toEqual([]);
    expect(run.checkpoints.filter((c) => c.kind === 'committed')).toHaveLength(1);
  });

  it('a commit that finds a newer epoch rolls back and fails the stream with the permanent FENCED', async () => {
    const pg = fencedPostgres('4');
    const run = await writeOneRow(pg);
    expect(run.outcome.ok).toBe(false);
    expect(errorOf(run)).toMatchObject({ kind: 'permanent', code: 'FENCED' });
    expect(errorOf(run)?.message).toContain(
      'public.users: another attempt (epoch 4) took over this stream since this attempt started (epoch 3): its commit was refused, nothing written',
    );
    const sqls = pg.queries.map((q) => q.sql);
    expect(sqls.slice(sqls.indexOf(fencedWatermarkSql('raw')) + 1)).toEqual(['ROLLBACK']);
    expect(sqls).not.toContain('COMMIT');
    expect(run.checkpoints.filter((c) => c.kind === 'committed')).toEqual([]);
  });

  it('frames after the last marker commit only when the share-locked epoch is still the session one', async () => {
    for (const [current, ok] of [
      ['3', true],
      ['5', false],
    ] as const) {
      const pg = fencedPostgres(current);
      const run = await harness.write({
        config,
        context,
        input: [batchFromRows([{ id: 1, email: 'a@x' }])],
        handlers: pg.handlers,
      });
      expect(run.outcome.ok, current).toBe(ok);
      const sqls = pg.queries.map((q) => q.sql);
      const after = sqls.slice(sqls.indexOf(epochFenceSql('raw')) + 1);
      expect(after[0], current).toBe(ok ? 'COMMIT' : 'ROLLBACK');
      expect(
        after.slice(1).filter((s) => !s.startsWith('SELECT')),
        current,
      ).toEqual([]);
      if (!ok) expect(errorOf(run)).toMatchObject({ code: 'FENCED' });
    }
  });

  it('a load that fails after a newer session took the stream reports FENCED, not a retryable rejected row', async () => {
    for (const [current, code] of [
      ['3', 'ROWS_REJECTED'],
      ['4', 'FENCED'],
    ] as const) {
      const pg = fencedPostgres(current, true);
      const run = await writeOneRow(pg, { primaryKey: ['id'] });
      expect(errorOf(run), current).toMatchObject({ code, kind: code === 'FENCED' ? 'permanent' : 'transient' });
      const sqls = pg.queries.map((q) => q.sql);
      // rolled back first, then the epoch looked up
      expect(sqls.slice(-2), current).toEqual(['ROLLBACK', epochFenceSql('raw')]);
      expect(sqls).not.toContain('COMMIT');
    }
  });

  /**
   * A fake whose target `raw.users` exists and whose watermark table does not until this session's
   * CREATE fails with `createError` — as when another stream's CREATE committed first. `appears`:
   * whether the table exists after that failure.
   */
  function racedWatermarkPostgres(createError: string, appears: boolean): FakePostgres {
    let created = false;
    return usersPostgres({
      first: (sql, params) => {
        if (sql.startsWith('CREATE TABLE IF NOT EXISTS "raw"."_rb_watermarks"')) {
          created = appears;
          return failure(`SQLSTATE_${createError}`, 'type "_rb_watermarks" already exists', 'permanent', createError);
        }
        if (sql === RESOLVE_TABLE_SQL && params[0] === '"raw"."_rb_watermarks"' && !created) return { rows: [] };
        return undefined;
      },
    });
  }

  it('a watermark table another stream created at the same moment is used, whichever SQLSTATE the lost CREATE gave', async () => {
    for (const code of ['42710', '42P07', '23505']) {
      const pg = racedWatermarkPostgres(code, true);
      const run = await writeOneRow(pg);
      expect(errorOf(run), code).toBeUndefined();
      expect(
        run.checkpoints.filter((c) => c.kind === 'committed'),
        code,
      ).toHaveLength(1);
    }
  });

  it('a CREATE of the watermark table that fails like a lost race while no such table exists fails the stream', async () => {
    const pg = racedWatermarkPostgres('42710', false);
    const run = await writeOneRow(pg);
    expect(errorOf(run)?.message).toContain('type "_rb_watermarks" already exists');
    expect(run.checkpoints.filter((c) => c.kind === 'committed')).toEqual([]);
  });

  it('a schema another stream created at the same moment (CREATE SCHEMA fails 23505 or 42P06) is used', async () => {
    for (const code of ['23505', '42P06']) {
      let created = false;
      const pg = usersPostgres({
        first: (sql) => {
          if (sql === 'SELECT 1 FROM pg_namespace WHERE nspname = $1') return { rows: created ? [['1']] : [] };
          if (!sql.startsWith('CREATE SCHEMA IF NOT EXISTS "raw"')) return undefined;
          created = true;
          return failure(`SQLSTATE_${code}`, 'schema "raw" already exists', 'permanent', code);
        },
      });
      const run = await writeOneRow(pg);
      expect(errorOf(run), code).toBeUndefined();
      expect(
        pg.queries.filter((q) => q.sql.startsWith('CREATE SCHEMA')),
        code,
      ).toHaveLength(1);
    }
  });
});
