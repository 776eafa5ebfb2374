// One error vocabulary, end to end through the built CLI: a connector's configuration error exits
// like the engine's (2, CONFIG_INVALID, where the connector said INVALID_CONFIG and exited 1), a
// value the destination rejects exits as a data error (4), and a failed stream carries its code's
// fix-it hint in `--json` and under the error in the summary table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgEndpoint, runCli, writePipeline, type CliResult } from '../support/run-cli.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';
import { databaseScope } from '../support/database-scope.js';

const cluster = testPg();

interface StreamJson {
  stream: string;
  status: string;
  error?: { code: string; kind: string; message: string; stage: string; column?: string; hint?: string };
}

function parseJson(result: CliResult): { status: string; streams: StreamJson[] } {
  try {
    return JSON.parse(result.stdout) as { status: string; streams: StreamJson[] };
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

function pipelineYaml(o: {
  name: string;
  srcUrl: string;
  dstUrl: string;
  stream: string;
  writeMode?: string;
  extra?: string;
}): string {
  return `version: "1.0"
pipeline: ${o.name}
source:
  use: source-postgres
  ${pgEndpoint(o.srcUrl)}
  streams:
    - { ${o.stream} }
destination:
  use: dest-postgres
  ${pgEndpoint(o.dstUrl)}
  write_mode: ${o.writeMode ?? 'replace'}
${o.extra ?? ''}`;
}

const SOURCE = `
  CREATE TABLE public.items (id int PRIMARY KEY, amount int, note text);
  INSERT INTO public.items SELECT i, i, 'n' || i FROM generate_series(1, 20) i;
  CREATE TABLE public.keyless (id int, note text);
  INSERT INTO public.keyless SELECT CASE WHEN i = 7 THEN NULL ELSE i END, 'n' || i FROM generate_series(1, 20) i;`;

describe('one error vocabulary: exit codes and fix-it hints', () => {
  const dbs = databaseScope(cluster);
  let src: TestDatabase;

  beforeAll(async () => {
    src = await dbs.create('errvocab_src', SOURCE);
  }, 120_000);

  afterAll(async () => {
    await dbs.dropAll();
  });

  it('a connector configuration error (sslmode=bogus in the url) exits 2 with CONFIG_INVALID, like the engine config errors, not 1 with INVALID_CONFIG', async () => {
    const dst = await dbs.create('errvocab_cfg');
    const file = writePipeline(
      pipelineYaml({
        name: 'errvocab_cfg',
        srcUrl: `${src.url}?sslmode=bogus`,
        dstUrl: dst.url,
        stream: 'name: public.items, sync_mode: full_refresh',
      }),
    );
    const result = await runCli(['run', '--json', file]);
    const json = parseJson(result);
    expect(json.streams[0]?.error?.code, result.stdout).toBe('CONFIG_INVALID');
    expect(json.streams[0]?.error?.message).toContain('sslmode');
    expect(json.streams[0]?.error?.hint).toMatch(/config/i);
    expect(result.code, result.stdout + result.stderr).toBe(2);
  });

  it('a NULL the destination refuses in a key column (write_mode replace, rows not isolated) exits 4 with the hint of its SQLSTATE class', async () => {
    const dst = await dbs.create('errvocab_null', 'CREATE TABLE public.keyless (id int PRIMARY KEY, note text);');
    const file = writePipeline(
      pipelineYaml({
        name: 'errvocab_null',
        srcUrl: src.url,
        dstUrl: dst.url,
        stream: 'name: public.keyless, sync_mode: full_refresh',
        writeMode: 'replace',
      }),
    );
    const result = await runCli(['run', '--json', file]);
    const error = parseJson(result).streams[0]?.error;
    expect(error, result.stdout).toMatchObject({ code: 'SQLSTATE_23502', kind: 'permanent', column: 'id' });
    expect(error?.hint, result.stdout).toMatch(/on_data_error/);
    expect(result.code, result.stdout + result.stderr).toBe(4);
    // nothing of the refused load replaced the table
    expect((await cluster.query(dst.name, 'SELECT count(*)::int AS n FROM public.keyless')).rows[0]).toEqual({ n: 0 });
  });

  it('a failed stream carries the fix-it hint of its code: in --json next to code and kind, and under the error in the summary', async () => {
    const dst = await dbs.create('errvocab_hint');
    const file = writePipeline(
      pipelineYaml({
        name: 'errvocab_hint',
        srcUrl: src.url,
        dstUrl: dst.url,
        stream: 'name: public.nope, sync_mode: full_refresh',
      }),
    );
    const json = await runCli(['run', '--json', file]);
    expect(json.code, json.stdout + json.stderr).toBe(1);
    const error = parseJson(json).streams[0]?.error;
    expect(error).toMatchObject({ code: 'TABLE_NOT_FOUND', kind: 'permanent' });
    expect(error?.hint).toMatch(/stream name|table/i);

    const text = await runCli(['run', file]);
    expect(text.code, text.stdout + text.stderr).toBe(1);
    const lines = text.stdout.split('\n');
    const at = lines.findIndex((l) => l.includes('permanent TABLE_NOT_FOUND'));
    expect(at, text.stdout).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toBe(`    hint: ${error?.hint}`);
  });
});
