import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { batchFromRows, ConnectorHarness, failure, FakePostgres } from '@rapidbyte/sdk/testing';
import { DISCOVER_SQL, PRIMARY_KEY_SQL, RELATION_COLUMNS_SQL, RESOLVE_RELATION_SQL } from '../src/catalog-queries.js';

// The built component (`pnpm build`), run against the SDK's in-memory host: no database.
const harness = await ConnectorHarness.load(fileURLToPath(new URL('..', import.meta.url)));
const config = { url: 'postgres://reader:secret@db.internal:6543/shop' };

describe('source-postgres on the harness', () => {
  it('discover: connects with the URL parts, maps catalog rows, closes the connection', async () => {
    const pg = new FakePostgres({
      query: (sql) =>
        sql === DISCOVER_SQL
          ? { rows: [['public', 'users', 'r', '[{"name":"id","type":"bigint","nullable":false}]', '["id"]']] }
          : undefined,
    });
    const run = await harness.discover({ config, handlers: pg.handlers });
    expect(run.result).toEqual({
      streams: [
        {
          name: 'public.users',
          kind: 'table',
          columns: [{ name: 'id', type: 'bigint', nullable: false }],
          primaryKey: ['id'],
        },
      ],
    });
    expect(pg.connects[0]).toMatchObject({
      host: 'db.internal',
      port: 6543,
      user: 'reader',
      password: 'secret',
      database: 'shop',
    });
    expect(pg.open.size).toBe(0);
  });

  it('check: a refused connection becomes a failed item, not a failed session', async () => {
    const run = await harness.check({
      config,
      handlers: { 'pg-connect': () => failure('NETWORK_DENIED', 'db.internal is not in allowed_hosts') },
    });
    expect(run.result).toEqual({
      items: [{ name: 'connect', ok: false, message: 'NETWORK_DENIED: db.internal is not in allowed_hosts' }],
    });
  });

  it('full refresh (replace): one COPY whose frames go downstream, then a complete checkpoint and COMMIT', async () => {
    const copied = [
      batchFromRows([
        { id: 1, email: 'a@x' },
        { id: 2, email: null },
      ]),
      batchFromRows([{ id: 3, email: 'c@x' }]),
    ];
    const pg = new FakePostgres({
      query: (sql) => {
        if (sql === RESOLVE_RELATION_SQL) return { rows: [['16384', 'r']] };
        if (sql === RELATION_COLUMNS_SQL)
          return {
            rows: [
              ['id', 'bigint', '20', 'N', 'false', '[]'],
              ['email', 'text', '25', 'S', 'true', '[]'],
            ],
          };
        if (sql === PRIMARY_KEY_SQL) return { rows: [['id']] };
        return undefined;
      },
      copyOut: () => copied,
    });
    const run = await harness.read({
      config,
      context: { stream: { name: 'public.users', writeMode: 'replace' } },
      handlers: pg.handlers,
    });
    expect(run.result).toEqual({ rows: 3, frames: 2 });
    expect(run.rows()).toEqual([
      { id: 1n, email: 'a@x' },
      { id: 2n, email: null },
      { id: 3n, email: 'c@x' },
    ]);
    expect(run.output.map((o) => o.kind)).toEqual(['frame', 'frame', 'checkpoint']);
    expect(run.checkpoints).toEqual([{ kind: 'resume', payload: { mode: 'full_refresh', complete: true, rows: 3 } }]);
    expect(pg.copyOuts).toHaveLength(1);
    expect(pg.copyOuts[0]?.sql).toMatch(/^COPY \(SELECT "id", "email" FROM ONLY "public"\."users"/);
    expect(pg.queries.map((q) => q.sql)).toContain('COMMIT');
    expect(pg.open.size).toBe(0);
  });

  it('a missing table fails the session with TABLE_NOT_FOUND naming the stream', async () => {
    const pg = new FakePostgres({ query: (sql) => (sql === RESOLVE_RELATION_SQL ? { rows: [] } : undefined) });
    const run = await harness.read({ config, context: { stream: { name: 'public.nope' } }, handlers: pg.handlers });
    expect(run.error).toMatchObject({ code: 'TABLE_NOT_FOUND', streamName: 'public.nope' });
    expect(pg.open.size).toBe(0);
  });
});
