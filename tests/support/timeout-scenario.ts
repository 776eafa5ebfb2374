// The scenario of the resources.timeouts tests (local and cluster): a slow stream that a limit
// stops and a quick one that finishes first. The slow stream is made slow deterministically: the
// `hold-source-after-commits` fault (HOLD_SLOW_SOURCE) holds its source once two chunks are
// committed, until the stream is asked to stop.
import { expect } from 'vitest';
import { cliOutput, parseJson, streamNamed } from './cli-json.js';
import { pgPipeline, type PipelineDoc } from './pipeline-yaml.js';
import type { RunJson, StreamJson } from './run-json.js';
import type { CliResult } from './run-cli.js';
import { rowCount } from './table-assertions.js';
import type { TestDatabase } from './test-pg.js';

export const TIMEOUT_ROWS = 6000;
export const TIMEOUT_CHUNK = 500;
export const SLOW = 'public.slow';
export const QUICK = 'public.quick';
/** The environment of a process whose slow stream is held after two committed chunks. */
export const HOLD_SLOW_SOURCE = { RAPIDBYTE_TEST_FAULT: `hold-source-after-commits:${SLOW}:2` };

/** The source tables: `public.slow` (6,000 rows) and `public.quick` (50 rows). */
export const TIMEOUT_SOURCE_SQL = `
  CREATE TABLE ${SLOW} (id bigint PRIMARY KEY, label text NOT NULL);
  INSERT INTO ${SLOW} SELECT g, 'row ' || g FROM generate_series(1, ${TIMEOUT_ROWS}) g;
  CREATE TABLE ${QUICK} (id bigint PRIMARY KEY, label text NOT NULL);
  INSERT INTO ${QUICK} SELECT g, 'quick ' || g FROM generate_series(1, 50) g;
  ANALYZE;`;

/** Both streams, full refresh × upsert, in chunks of 500 rows at parallelism 2, under `timeouts`. */
export function timeoutPipeline(
  name: string,
  src: TestDatabase,
  dst: TestDatabase,
  timeouts: Record<string, string>,
): PipelineDoc {
  return pgPipeline({
    name,
    src,
    dst,
    streams: [
      { name: SLOW, sync_mode: 'full_refresh' },
      { name: QUICK, sync_mode: 'full_refresh' },
    ],
    writeMode: 'upsert',
    destination: { primary_key: ['id'] },
    resources: { checkpoint_interval_rows: TIMEOUT_CHUNK, batch_rows: 250, parallelism: 2, timeouts },
  });
}

/**
 * Asserts that a `run --json` ended as a limit makes it end: exit 5, `partial`, the slow stream
 * `failed` with the permanent `TIMEOUT` naming the limit (`message`), drained (every chunk it read
 * committed, and counted), the quick one succeeded. Returns the slow stream and its committed rows.
 */
export async function expectTimedOut(
  result: CliResult,
  dst: TestDatabase,
  message: RegExp,
): Promise<{ readonly json: RunJson; readonly slow: StreamJson; readonly committed: number }> {
  expect(result.code, cliOutput(result)).toBe(5);
  const json = parseJson<RunJson>(result);
  expect(json.status, cliOutput(result)).toBe('partial');
  const slow = streamNamed(json, SLOW);
  expect(slow.status, cliOutput(result)).toBe('failed');
  expect(slow.error).toMatchObject({ code: 'TIMEOUT', kind: 'permanent', stage: 'host' });
  expect(slow.error?.message).toMatch(message);
  expect(slow.retriesExhausted).toBeUndefined();
  expect(streamNamed(json, QUICK).status).toBe('succeeded');
  // drained: the source stopped at a chunk boundary and every chunk it read was committed
  const committed = await rowCount(dst, SLOW);
  expect(committed).toBe(slow.rowsWritten);
  // at least the chunk in progress when the limit fired (two, unless the machine took the whole limit to start)
  expect(committed).toBeGreaterThanOrEqual(TIMEOUT_CHUNK);
  expect(committed).toBeLessThan(TIMEOUT_ROWS);
  expect(committed % TIMEOUT_CHUNK).toBe(0);
  return { json, slow, committed };
}
