// A transform reading a timestamp or date column whose value is Postgres ±infinity (or past the
// years a JS Date holds) failed the stream with HOST_ERROR "Invalid time value" instead of reading
// the value. Here transform-validate's regex and unique rules read such columns: the far-future
// and far-past rows pass, the ±infinity ones are dead-lettered by a rule with their text.
import { afterAll, describe, expect, it } from 'vitest';
import { pgEndpoint, runCli, writePipeline } from '../support/run-cli.js';
import { testPg } from '../support/test-pg.js';
import { databaseScope } from '../support/database-scope.js';

const cluster = testPg();
const scope = databaseScope(cluster);
afterAll(() => scope.dropAll());

const TABLE = `
CREATE TABLE public.events (id int PRIMARY KEY, at timestamptz, day date, note text);
INSERT INTO public.events VALUES
  (1, '2024-05-06 07:08:09.123456+00', '2024-05-06', 'plain'),
  (2, 'infinity', 'infinity', 'open end'),
  (3, '-infinity', '-infinity', 'open start'),
  (4, '200000-01-01 00:00:00+00', '5874897-12-31', 'far future'),
  (5, '4713-11-24 00:00:00+00 BC', '4713-11-24 BC', 'far past');`;

describe('transforms over ±infinity and far-future timestamps', () => {
  it('transform-validate reads ±infinity and dates past a JS Date without HOST_ERROR; a rule rejecting them dead-letters their text', async () => {
    const src = await scope.create('tinf_src', TABLE);
    const dst = await scope.create('tinf_dst');
    const rules = [
      { column: 'at', unique: true },
      { column: 'day', regex: '^(-?infinity|[-+]?[0-9]{4,7}-[0-9]{2}-[0-9]{2})$' },
      { column: 'at', regex: '^[-+]?[0-9]' },
    ];
    const file = writePipeline(`version: "1.0"
pipeline: tinf
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.events, sync_mode: full_refresh }
transforms:
  - { use: transform-validate, config: ${JSON.stringify({ rules })} }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: append
  on_data_error: dlq
`);
    const run = await runCli(['run', '--json', file]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stderr).not.toContain('Invalid time value');
    // rows 2 and 3 fail the last rule (their text is no number); the far-future and far-past ones pass
    const kept = await cluster.query(dst.name, `SELECT id FROM public.events ORDER BY id`);
    expect(kept.rows.map((r: { id: number }) => r.id)).toEqual([1, 4, 5]);
    const dlq = await runCli(['dlq', 'list', '--json', file]);
    expect(dlq.code, dlq.stderr).toBe(0);
    const letters = JSON.parse(dlq.stdout) as { record: { id: number; at: string; day: string } }[];
    const byId = new Map(letters.map((l) => [l.record.id, l.record]));
    expect([...byId.keys()].sort()).toEqual([2, 3]);
    expect(byId.get(2)).toMatchObject({ at: 'infinity', day: 'infinity' });
    expect(byId.get(3)).toMatchObject({ at: '-infinity', day: '-infinity' });
    const diff = await cluster.compareTables(src.url, 'events', dst.url, 'events');
    expect(diff.onlyInDestination).toEqual([]);
    expect(diff.onlyInSource.map((r) => Number(r.id)).sort()).toEqual([2, 3]);
  });
});
