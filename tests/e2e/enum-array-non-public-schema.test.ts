// An array of an enum loaded into a destination schema other than public: the enum type is
// created in that schema and the array column uses it, schema-qualified like the enum column.
import { afterAll, describe, expect, it } from 'vitest';
import { databaseScope } from '../support/database-scope.js';
import { pgEndpoint, runCli, writePipeline } from '../support/run-cli.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';

const cluster = testPg();
const scope = databaseScope(cluster);

afterAll(async () => {
  await cluster.query(
    'postgres',
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active AND slot_name LIKE '%enum_arr%'`,
  );
  await scope.dropAll();
});

const SOURCE = `CREATE SCHEMA app;
  CREATE TYPE app."Mood" AS ENUM ('sad', 'ok', 'happy', 'it''s complicated');
  CREATE TYPE public.size AS ENUM ('s', 'm', 'l');
  CREATE TABLE app.people (id int PRIMARY KEY, mood app."Mood", moods app."Mood"[], sizes public.size[], grid public.size[][]);
  INSERT INTO app.people
  SELECT g, (ARRAY['sad','ok','happy']::app."Mood"[])[1 + g % 3],
    CASE WHEN g % 5 = 0 THEN NULL ELSE ARRAY['happy', NULL, 'it''s complicated']::app."Mood"[] END,
    ARRAY['s', 'l']::public.size[], ARRAY[['s','m'],['l','s']]::public.size[][]
  FROM generate_series(1, 50) g;`;

function pipeline(name: string, src: TestDatabase, dst: TestDatabase, syncMode: string, writeMode: string): string {
  return writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: app.people, sync_mode: ${syncMode} }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url, ', schema: "Ware House"')}
  write_mode: ${writeMode}
`);
}

describe('enum arrays into a non-public destination schema', () => {
  for (const [syncMode, writeMode] of [
    ['full_refresh', 'replace'],
    ['full_refresh', 'append'],
    ['full_refresh', 'upsert'],
    ['cdc', 'upsert'],
  ] as const) {
    it(`${syncMode} × ${writeMode}: creates the enum types in the schema and the array columns of them (type "x[]" does not exist)`, async () => {
      const src = await scope.create('enum_arr_src', SOURCE);
      const dst = await scope.create('enum_arr_dst');
      const file = pipeline(`enum_arr_${syncMode}_${writeMode}`, src, dst, syncMode, writeMode);
      const result = await runCli(['run', file]);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      const columns = await cluster.query(
        dst.name,
        `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = '"Ware House".people'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      );
      expect(columns.rows).toEqual([
        { attname: 'id', type: 'integer' },
        { attname: 'mood', type: '"Ware House"."Mood"' },
        { attname: 'moods', type: '"Ware House"."Mood"[]' },
        { attname: 'sizes', type: '"Ware House".size[]' },
        { attname: 'grid', type: '"Ware House".size[]' },
      ]);
      const labels = await cluster.query(
        dst.name,
        `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = '"Ware House"'::regnamespace GROUP BY 1 ORDER BY 1`,
      );
      expect(labels.rows).toEqual([
        { typname: 'Mood', labels: ['sad', 'ok', 'happy', "it's complicated"] },
        { typname: 'size', labels: ['s', 'm', 'l'] },
      ]);
      const diff = await cluster.compareTables(src.url, 'app.people', dst.url, {
        schema: 'Ware House',
        table: 'people',
      });
      expect(diff.onlyInSource).toEqual([]);
      expect(diff.onlyInDestination).toEqual([]);
      expect(diff.destinationRows).toBe(50);

      if (writeMode !== 'append') {
        // a second run finds the columns it created the same type as the source's: no schema change
        const rerun = await runCli(['run', file]);
        expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
        expect(rerun.stderr).not.toMatch(/schema change/);
      }
      if (syncMode === 'cdc') {
        await cluster.psql(
          src.name,
          `INSERT INTO app.people VALUES (51, 'ok', ARRAY['sad']::app."Mood"[], NULL, NULL);
          UPDATE app.people SET moods = ARRAY['ok', 'ok']::app."Mood"[], sizes = ARRAY['m']::public.size[] WHERE id = 2;
          DELETE FROM app.people WHERE id = 3;`,
        );
        const again = await runCli(['run', file]);
        expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
        const changed = await cluster.compareTables(src.url, 'app.people', dst.url, {
          schema: 'Ware House',
          table: 'people',
        });
        expect(changed.onlyInSource).toEqual([]);
        expect(changed.onlyInDestination).toEqual([]);
      }
    });
  }
});
