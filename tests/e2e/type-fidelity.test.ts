// pg -> pg full refresh keeps every value and every column type exactly (see docs/architecture.md#type-fidelity).
import { beforeAll, describe, expect, it } from 'vitest';
import { testPg, type TestDatabase } from '../support/test-pg.js';
import { pgEndpoint, runCli, writePipeline } from '../support/run-cli.js';

const pg = testPg();

/** `format_type` of every column of a table, in order. */
async function columnTypes(db: string, schema: string, table: string): Promise<string[][]> {
  const r = await pg.query(
    db,
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull::text
       FROM pg_attribute a WHERE a.attrelid = format('%I.%I', $1::text, $2::text)::regclass
        AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [schema, table],
  );
  return r.rows.map((row) => [row.attname, row.format_type, row.attnotnull]);
}

function pipeline(src: TestDatabase, dst: TestDatabase, writeMode: string, schema: string): string {
  return writePipeline(`version: "1.0"
pipeline: type_fidelity_${writeMode}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.TypeZoo, sync_mode: full_refresh }
    - { name: shop.customers, sync_mode: full_refresh }
    - { name: shop.orders, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url, `, schema: ${schema}`)}
  write_mode: ${writeMode}
  primary_key: [id]
resources: { batch_rows: 3000 }
`);
}

describe('type fidelity, full refresh pg -> pg', () => {
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    src = await pg.createDatabase('tf_src');
    dst = await pg.createDatabase('tf_dst');
    await pg.loadFixture(src.name, 'type-fidelity.sql');
    await pg.loadFixture(src.name, 'demo.sql');
  });

  it.each(['replace', 'append'])('%s: every table equal (EXCEPT both ways), exact column types', async (writeMode) => {
    const schema = `wh_${writeMode}`;
    const result = await runCli(['run', '--json', pipeline(src, dst, writeMode, schema)]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as {
      status: string;
      streams: { stream: string; status: string; rowsWritten: number }[];
    };
    expect(summary.status).toBe('succeeded');
    expect(summary.streams.map((s) => [s.stream, s.status, s.rowsWritten])).toEqual([
      ['public.TypeZoo', 'succeeded', 20],
      ['shop.customers', 'succeeded', 1000],
      ['shop.orders', 'succeeded', 10000],
    ]);

    for (const [srcSchema, table, rows] of [
      ['public', 'TypeZoo', 20],
      ['shop', 'customers', 1000],
      ['shop', 'orders', 10000],
    ] as const) {
      const diff = await pg.compareTables(src.url, `${srcSchema}.${table}`, dst.url, `${schema}.${table}`);
      expect(diff.onlyInSource).toEqual([]);
      expect(diff.onlyInDestination).toEqual([]);
      expect(diff.sourceRows).toBe(rows);
      expect(diff.destinationRows).toBe(rows);
      const srcTypes = await columnTypes(src.name, srcSchema, table);
      const dstTypes = (await columnTypes(dst.name, schema, table)).map(([n, t, nn]) => [
        n,
        (t as string).replace(`${schema}.`, 'public.'),
        nn,
      ]);
      expect(dstTypes).toEqual(srcTypes.map(([n, t, nn]) => [n, (t as string).replace(/^mood$/, 'public.mood'), nn]));
    }
    // the enum type was created at the destination with the same labels in order
    const labels = await pg.query(
      dst.name,
      `SELECT enumlabel FROM pg_enum WHERE enumtypid = $1::regtype ORDER BY enumsortorder`,
      [`${schema}.mood`],
    );
    expect(labels.rows.map((r) => r.enumlabel)).toEqual(['sad', 'ok', 'happy', 'Très "content"']);
  });

  it('int8 beyond 2^53 and timestamps with µs and ±infinity survive exactly', async () => {
    const schema = 'wh_replace';
    const pick = async (db: string, s: string): Promise<unknown[]> =>
      (
        await pg.query(
          db,
          `SELECT c_int8::text, c_timestamptz::text, c_date::text, c_numeric_any::text FROM ${s}."TypeZoo" ORDER BY id`,
        )
      ).rows;
    expect(await pick(dst.name, schema)).toEqual(await pick(src.name, 'public'));
  });
});
