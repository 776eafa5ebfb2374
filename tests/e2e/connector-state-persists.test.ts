// A connector's key/value state (`state.get/put/cas`) is kept in the state DB per pipeline, stream
// and stage: a session sees what earlier sessions put. It used to live only in the worker's memory
// (every session started empty) although the SDK promised it was kept.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseScope } from '../support/database-scope.js';
import { pgEndpoint, REPO_ROOT, runCli, writePipeline } from '../support/run-cli.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';

const cluster = testPg();
/** source-postgres plus, with `count_sessions`, a session counter in connector state. */
const PROBE = join(REPO_ROOT, 'tests/fixtures/connectors/limits-probe');

describe('connector state', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    src = await databases.create(
      'cstate_src',
      `
      CREATE TABLE public.a (id int PRIMARY KEY);
      INSERT INTO public.a SELECT generate_series(1, 10);
      CREATE TABLE public.b (id int PRIMARY KEY);
      INSERT INTO public.b SELECT generate_series(1, 20);`,
    );
    dst = await databases.create('cstate_dst');
  });
  afterAll(() => databases.dropAll());

  it('state put by a source in one run is what the next run reads, per stream', async () => {
    const file = writePipeline(`version: "1.0"
pipeline: cstate
source:
  use: ${JSON.stringify(PROBE)}
  config: { url: "${src.url}", count_sessions: true }
  permissions: { network: { allowed_hosts: [127.0.0.1] } }
  streams:
    - { name: public.a, sync_mode: full_refresh }
    - { name: public.b, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: replace
`);
    const sessions = (stderr: string, stream: string): number[] =>
      [...stderr.matchAll(new RegExp(`${stream.replace('.', '\\.')} source:limits-probe: session (\\d+)`, 'g'))].map(
        (m) => Number(m[1]),
      );

    const first = await runCli(['run', file, '--log-level', 'info', '--no-progress']);
    expect(first.code, first.stderr).toBe(0);
    expect(sessions(first.stderr, 'public.a')).toEqual([1]);
    expect(sessions(first.stderr, 'public.b')).toEqual([1]);

    const second = await runCli(['run', file, '--log-level', 'info', '--no-progress', '--streams', 'public.a']);
    expect(second.code, second.stderr).toBe(0);
    expect(sessions(second.stderr, 'public.a')).toEqual([2]);

    const third = await runCli(['run', file, '--log-level', 'info', '--no-progress']);
    expect(third.code, third.stderr).toBe(0);
    expect(sessions(third.stderr, 'public.a')).toEqual([3]);
    expect(sessions(third.stderr, 'public.b')).toEqual([2]); // its own counter, not a's

    const diff = await cluster.compareTables(src.url, 'public.b', dst.url, 'public.b');
    expect(diff.onlyInSource).toEqual([]);
    expect(diff.onlyInDestination).toEqual([]);
  });
});
