import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { batchFromRows, ConnectorHarness, FakePostgres, type RequestHandlers } from '@rapidbyte/sdk/testing';
import { PRIMARY_KEY_SQL, RELATION_COLUMNS_SQL, RESOLVE_RELATION_SQL } from '../src/catalog-queries.js';
import {
  ATTRIBUTE_TYPES_SQL,
  PUBLICATION_SQL,
  PUBLISHED_RELATIONS_SQL,
  PUBLISHED_SQL,
  REPLICATION_SETTINGS_SQL,
} from '../src/cdc-preflight-sql.js';
import { COLUMN_IDENTITY_SQL } from '../src/column-identity.js';

// The CDC control flow of the built component on the SDK's in-memory host: preflight, publication,
// attach, snapshot import, then the host's change frames and checkpoints passed on in order.
const harness = await ConnectorHarness.load(fileURLToPath(new URL('..', import.meta.url)));
const config = { url: 'postgres://repl:secret@db.internal:5432/shop' };

function catalog(identity: { kind: string; hasPk: boolean }, published: boolean, extraColumn?: string): FakePostgres {
  return new FakePostgres({
    query: (sql) => {
      if (sql === REPLICATION_SETTINGS_SQL) return { rows: [['logical', 'true', '5', '5', '150000', 'repl', 'false']] };
      if (sql === PUBLICATION_SQL) return { rows: published ? [['true', 'false', 'true']] : [] };
      if (sql === PUBLISHED_SQL) return { rows: published ? [['1']] : [] };
      if (sql === RESOLVE_RELATION_SQL) return { rows: [['16384', 'r']] };
      if (sql === RELATION_COLUMNS_SQL) {
        return {
          rows: [
            ['id', 'bigint', '20', 'N', 'false', '[]'],
            ['email', 'text', '25', 'S', 'true', '[]'],
            ...(extraColumn ? [[extraColumn, 'text', '25', 'S', 'true', '[]']] : []),
          ],
        };
      }
      if (sql === PRIMARY_KEY_SQL) return { rows: identity.hasPk ? [['id']] : [] };
      if (sql === PUBLISHED_RELATIONS_SQL)
        return {
          rows: [
            [
              '16384',
              'public',
              'users',
              'r',
              'p',
              identity.kind,
              identity.hasPk ? 'ok' : 'none',
              'none',
              identity.hasPk ? '["id"]' : '[]',
            ],
          ],
        };
      if (sql === ATTRIBUTE_TYPES_SQL)
        return {
          rows: [
            ['id', '20'],
            ['email', '25'],
          ],
        };
      if (sql === COLUMN_IDENTITY_SQL)
        return {
          rows: [
            ['1', 'id', '20', 'f', undefined, 'f'],
            ['3', 'email', '25', 'f', undefined, 'f'],
          ],
        };
      return undefined;
    },
    copyOut: () => [batchFromRows([{ id: 1, email: 'a@x' }])],
  });
}

describe('source-postgres cdc on the harness', () => {
  it('first run: publishes the table, attaches, imports the snapshot, copies it, then passes on change frames and checkpoints', async () => {
    const pg = catalog({ kind: 'd', hasPk: true }, false);
    const changes = batchFromRows([{ id: 2, email: 'b@x' }]);
    const order: string[] = [];
    const next = [
      { tag: 'frame' as const },
      { tag: 'checkpoint' as const, val: '{"mode":"cdc","lsn":"0/20"}' },
      { tag: 'end-of-data' as const, val: 0n },
    ];
    const handlers: RequestHandlers = {
      ...pg.handlers,
      'pg-replication-open': ({ val }) => {
        order.push(
          `open ${val.slot} ${val.publication} ${val.schemaName}.${val.tableName} start=${val.startLsn ?? 'none'} coalesce=${val.coalesce} key=${val.key.join(',')}`,
        );
        return { tag: 'replication', val: 7 };
      },
      'pg-replication-snapshot': () => {
        order.push('snapshot');
        return { tag: 'snapshot', val: { name: '00000003-1', lsn: '0/10' } };
      },
      'pg-replication-snapshot-done': () => {
        order.push('snapshot-done');
        return { tag: 'none' };
      },
      'pg-replication-next': (_r, host) => {
        const item = next.shift();
        if (!item) throw new Error('read past the end');
        return item.tag === 'frame' ? { tag: 'frame', val: host.frames.add(changes) } : item;
      },
    };
    const run = await harness.read({
      config,
      context: { pipeline: 'Shop-WH', stream: { name: 'public.users', syncMode: 'cdc', writeMode: 'upsert' } },
      handlers,
    });
    expect(run.outcome.ok).toBe(true);
    expect(order).toEqual([
      'open rapidbyte_shop_wh rapidbyte_shop_wh public.users start=none coalesce=true key=id',
      'snapshot',
      'snapshot-done',
    ]);
    const sqls = pg.queries.map((q) => q.sql);
    expect(sqls).toContain(
      'CREATE PUBLICATION "rapidbyte_shop_wh" FOR TABLE ONLY "public"."users" WITH (publish_via_partition_root = true)',
    );
    const begin = sqls.indexOf('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    expect(sqls[begin + 1]).toBe(`SET TRANSACTION SNAPSHOT '00000003-1'`);
    expect(run.output.map((o) => o.kind)).toEqual(['frame', 'checkpoint', 'frame', 'checkpoint']);
    // every checkpoint carries the columns' identity (attnum, name, type oid): a later run recognises a rename by it;
    // and the relation followed: a later run recognises a table dropped and created again by it
    const columns = [
      [1, 'id', 20],
      [3, 'email', 25],
    ];
    expect(run.checkpoints.map((c) => c.payload)).toEqual([
      { mode: 'cdc', lsn: '0/10', snapshot: true, rows: 1, columns, relation: '16384' },
      { mode: 'cdc', lsn: '0/20', columns, relation: '16384' },
    ]);
    expect(run.result).toEqual({ rows: 2, frames: 2 });
    expect(pg.open.size).toBe(0);
  });

  it('a resumed stream attaches at its committed LSN and takes no snapshot', async () => {
    const pg = catalog({ kind: 'd', hasPk: true }, true);
    let opened: string | undefined;
    const run = await harness.read({
      config: { ...config, cdc: { slot_name: 'wh_slot', publication_name: 'wh_pub' } },
      context: {
        pipeline: 'p',
        stream: { name: 'public.users', syncMode: 'cdc', writeMode: 'append' },
        resume: { mode: 'cdc', lsn: '0/AB' },
      },
      handlers: {
        ...pg.handlers,
        'pg-replication-open': ({ val }) => {
          opened = `${val.slot}/${val.publication}/${val.startLsn}/${val.coalesce}`;
          return { tag: 'replication', val: 1 };
        },
        'pg-replication-next': () => ({ tag: 'end-of-data', val: 0n }),
      },
    });
    expect(run.outcome.ok).toBe(true);
    expect(opened).toBe('wh_slot/wh_pub/0/AB/false');
    expect(pg.queries.map((q) => q.sql)).not.toContain('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  });

  it('a table without a key or replica identity is refused before anything is published', async () => {
    const pg = catalog({ kind: 'd', hasPk: false }, false);
    const run = await harness.read({
      config,
      context: { pipeline: 'p', stream: { name: 'public.users', syncMode: 'cdc', writeMode: 'upsert' } },
      handlers: pg.handlers,
    });
    expect(run.error).toMatchObject({ code: 'NO_REPLICA_IDENTITY' });
    expect(run.error?.message).toContain('REPLICA IDENTITY FULL');
    expect(pg.queries.some((q) => /PUBLICATION/.test(q.sql) && !q.sql.startsWith('SELECT'))).toBe(false);
  });

  it('a change log of a table with a column named _rb_op is refused before anything is published or attached', async () => {
    const pg = catalog({ kind: 'd', hasPk: true }, false, '_rb_op');
    let opened = false;
    const handlers: RequestHandlers = {
      ...pg.handlers,
      'pg-replication-open': () => {
        opened = true;
        return { tag: 'replication', val: 1 };
      },
    };
    const run = await harness.read({
      config,
      context: { pipeline: 'p', stream: { name: 'public.users', syncMode: 'cdc', writeMode: 'append' } },
      handlers,
    });
    expect(run.error).toMatchObject({ code: 'CDC_COLUMN_RESERVED' });
    expect(run.error?.message).toContain('public.users: source column "_rb_op"');
    expect(run.error?.message).toContain('columns: [id, email]');
    expect(pg.queries.some((q) => /PUBLICATION/.test(q.sql) && !q.sql.startsWith('SELECT'))).toBe(false);
    expect(opened).toBe(false);
  });

  it('a column whose attnum and type the last checkpoint knew under another name is announced as renamed', async () => {
    const pg = catalog({ kind: 'd', hasPk: true }, true);
    let metadata: [string, string][] = [];
    const run = await harness.read({
      config,
      context: {
        pipeline: 'p',
        stream: { name: 'public.users', syncMode: 'cdc', writeMode: 'upsert' },
        resume: {
          mode: 'cdc',
          lsn: '0/AB',
          columns: [
            [1, 'id', 20],
            [3, 'mail', 25],
          ],
        } as never,
      },
      handlers: {
        ...pg.handlers,
        'pg-replication-open': ({ val }) => {
          metadata = val.schemaMetadata;
          return { tag: 'replication', val: 1 };
        },
        'pg-replication-next': () => ({ tag: 'end-of-data', val: 0n }),
      },
    });
    expect(run.outcome.ok).toBe(true);
    expect(metadata).toContainEqual(['rapidbyte.renamed_columns', '{"email":"mail"}']);
    expect(metadata).toContainEqual(['rapidbyte.column_identity', '[[1,"id",20],[3,"email",25]]']);
  });
});
