import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadPipelineConfig } from './load-pipeline-config.js';
import type { PipelineConfig } from './pipeline-config.js';

const resolveConnector = (): { configSchema: object } => ({ configSchema: { type: 'object' } });

function load(alerts: string, syncMode = 'cdc'): PipelineConfig {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-alerts-'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    `version: "1.0"
pipeline: alerting
source:
  use: source-postgres
  streams:
    - { name: public.a, sync_mode: ${syncMode} }
destination:
  use: dest-postgres
  write_mode: upsert
alerts:
${alerts}
`,
  );
  return loadPipelineConfig(file, { env: {}, resolveConnector });
}

function issues(alerts: string, syncMode?: string): string {
  try {
    load(alerts, syncMode);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`).join('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('alerts config', () => {
  it('reads durations and sizes; check_every defaults to 30 s', () => {
    const config = load('  { stale_after: 2h, slot_lag_bytes: 1gb, consecutive_failures: 3, dead_letters: 1 }');
    expect(config.alerts).toEqual({
      staleAfterMs: 2 * 3_600_000,
      slotLagBytes: 1024 ** 3,
      consecutiveFailures: 3,
      deadLetters: 1,
      checkEveryMs: 30_000,
    });
    expect(load('  { dead_letters: 5, check_every: 2s }').alerts).toEqual({ deadLetters: 5, checkEveryMs: 2000 });
  });

  it('refuses bad values naming the key and the value', () => {
    expect(issues('  { stale_after: soon }')).toContain('alerts.stale_after');
    expect(issues('  { stale_after: soon }')).toContain('"soon"');
    expect(issues('  { stale_after: 0s }')).toBe(
      `alerts.stale_after: alerts.stale_after must be a positive duration like '2h', '30m' or '30s', got "0s"`,
    );
    expect(issues('  { slot_lag_bytes: 0mb }')).toBe(
      `alerts.slot_lag_bytes: alerts.slot_lag_bytes must be a positive size like '1gb' or '512mb', got "0mb"`,
    );
    expect(issues('  { slot_lag_bytes: lots }')).toMatch(/alerts\.slot_lag_bytes.*'1gb'/);
    expect(issues('  { consecutive_failures: 0 }')).toMatch(/alerts\.consecutive_failures/);
    expect(issues('  { dead_letter: 1 }')).toMatch(/unknown key 'dead_letter'/);
  });

  it('refuses a slot lag alert on a pipeline without CDC streams', () => {
    expect(issues('  { slot_lag_bytes: 1gb }', 'full_refresh')).toBe(
      'alerts.slot_lag_bytes: alerts.slot_lag_bytes: "1gb" needs a stream with sync_mode: cdc (only CDC pipelines have a replication slot); remove it or add a CDC stream',
    );
  });
});
