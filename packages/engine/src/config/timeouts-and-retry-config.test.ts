import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadPipelineConfig } from './load-pipeline-config.js';
import type { PipelineConfig } from './pipeline-config.js';
import { BACKOFFS, JITTERS } from './retry-config.js';

const resolveConnector = (): { configSchema: object } => ({ configSchema: { type: 'object' } });

function load(resources: string): PipelineConfig {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-timeouts-'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    `version: "1.0"
pipeline: limits
source:
  use: source-postgres
  streams:
    - { name: public.a, sync_mode: full_refresh }
destination:
  use: dest-postgres
  write_mode: append
resources:
${resources}
`,
  );
  return loadPipelineConfig(file, { env: {}, resolveConnector });
}

function issues(resources: string): string {
  try {
    load(resources);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.file}:${i.line}: ${i.path}: ${i.message}`).join('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('resources.timeouts', () => {
  it('has no limits by default', () => {
    expect(load('  batch_rows: 10').resources.timeouts).toEqual({});
  });

  it('reads durations like the other durations of the config', () => {
    expect(load('  timeouts: { stream: 30m, run: 2h }').resources.timeouts).toEqual({
      streamMs: 1_800_000,
      runMs: 7_200_000,
    });
    expect(load('  timeouts: { stream: 1500ms }').resources.timeouts).toEqual({ streamMs: 1500 });
    expect(load('  timeouts: { run: 90 }').resources.timeouts).toEqual({ runMs: 90_000 });
  });

  it.each([
    ['stream', '0s'],
    ['run', '0m'],
  ])('refuses timeouts.%s %s naming the key, the value and the expected form', (key, bad) => {
    expect(issues(`  timeouts: { ${key}: ${bad} }`)).toMatch(
      new RegExp(
        `pipeline\\.yaml:\\d+: resources\\.timeouts\\.${key}: ${key} must be a positive duration like .*, got "${bad}"`,
      ),
    );
  });

  it.each(['forever', '-3s', '3 days'])('refuses timeouts.stream %s by its shape', (bad) => {
    expect(issues(`  timeouts: { stream: ${JSON.stringify(bad)} }`)).toMatch(
      /resources\.timeouts\.stream.*a positive number of seconds or a duration like '30m' or '2h'/s,
    );
  });

  it('refuses an unknown key under timeouts, naming the allowed ones', () => {
    expect(issues('  timeouts: { attempt: 5m }')).toMatch(/resources\.timeouts.*attempt.*(stream|run)/s);
  });
});

describe('resources.retry', () => {
  it("defaults to the engine's curve: exponential from 500 ms to 30 s, half jitter, 3 retries", () => {
    expect(load('  batch_rows: 10').resources.retry).toEqual({
      backoff: 'exponential',
      initialDelayMs: 500,
      maxDelayMs: 30_000,
      jitter: 'half',
      maxRetries: 3,
    });
  });

  it('reads every key', () => {
    expect(
      load('  retry: { backoff: fixed, initial_delay: 2s, max_delay: 1m, jitter: none, max_retries: 7 }').resources
        .retry,
    ).toEqual({ backoff: 'fixed', initialDelayMs: 2000, maxDelayMs: 60_000, jitter: 'none', maxRetries: 7 });
  });

  it('keeps the older resources.max_retries as the count when retry.max_retries is absent', () => {
    expect(load('  max_retries: 5\n  retry: { backoff: none }').resources.retry).toMatchObject({
      backoff: 'none',
      maxRetries: 5,
    });
  });

  it('refuses max_retries set in both places', () => {
    expect(issues('  max_retries: 5\n  retry: { max_retries: 2 }')).toMatch(
      /resources\.max_retries: max_retries is set twice: here \(5\) and as resources\.retry\.max_retries; keep only resources\.retry\.max_retries/,
    );
  });

  it('refuses an unknown backoff and jitter, listing the allowed values from the const arrays', () => {
    const backoff = issues('  retry: { backoff: linear }');
    expect(backoff).toMatch(/resources\.retry\.backoff/);
    for (const value of BACKOFFS) expect(backoff).toContain(value);
    const jitter = issues('  retry: { jitter: some }');
    expect(jitter).toMatch(/resources\.retry\.jitter/);
    for (const value of JITTERS) expect(jitter).toContain(value);
  });

  it('refuses a zero delay and an initial_delay above max_delay', () => {
    expect(issues('  retry: { initial_delay: 0ms }')).toMatch(
      /resources\.retry\.initial_delay: initial_delay must be a positive duration like '500ms' or '2s', got "0ms"/,
    );
    expect(issues('  retry: { initial_delay: 1m, max_delay: 10s }')).toMatch(
      /resources\.retry\.initial_delay: initial_delay must not exceed max_delay, got initial_delay "1m" and max_delay "10s"/,
    );
  });

  it('refuses a negative max_retries', () => {
    expect(issues('  retry: { max_retries: -1 }')).toMatch(/resources\.retry\.max_retries/);
  });
});
