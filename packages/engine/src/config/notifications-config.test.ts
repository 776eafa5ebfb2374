import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadPipelineConfig } from './load-pipeline-config.js';
import type { PipelineConfig } from './pipeline-config.js';
import { redactSecrets, secretValuesOf } from './redact-secrets.js';

const resolveConnector = (): { configSchema: object } => ({ configSchema: { type: 'object' } });
const ENV = { WEBHOOK_SECRET: 'whsec-123456', HOOK_TOKEN: 'tok-abcdef', PLAIN: 'plain-value-1' };

function load(notifications: string): PipelineConfig {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-notify-'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    `version: "1.0"
pipeline: notify
source:
  use: source-postgres
  streams:
    - { name: public.a, sync_mode: full_refresh }
destination:
  use: dest-postgres
notifications:
${notifications}
`,
  );
  return loadPipelineConfig(file, { env: ENV, resolveConnector });
}

function issues(notifications: string): string {
  try {
    load(notifications);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`).join('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('notifications config', () => {
  it('applies the defaults and expands ${VAR}s', () => {
    const config = load(
      '  - { url: "https://hooks.example/x", secret: "${WEBHOOK_SECRET}", headers: { Authorization: "Bearer ${HOOK_TOKEN}" } }',
    );
    expect(config.notifications).toEqual([
      {
        url: 'https://hooks.example/x',
        format: 'json',
        events: ['run.failed', 'run.interrupted'],
        headers: { Authorization: 'Bearer tok-abcdef' },
        secret: 'whsec-123456',
        timeoutMs: 10_000,
        backoffMs: 5000,
        maxAgeMs: 86_400_000,
      },
    ]);
  });

  it("every header value, the secret and a Slack URL's path are secret values, redacted everywhere", () => {
    const config =
      load(`  - { url: "https://hooks.example/x", secret: "\${WEBHOOK_SECRET}", headers: { X-Custom: "\${PLAIN}" }, timeout: 2s, backoff: 10ms, max_age: 1h }
  - { url: "https://hooks.slack.com/services/T0/B0/XyZ", format: slack, events: [run.failed, stream.failed] }`);
    expect(secretValuesOf(config)).toEqual(
      expect.arrayContaining(['whsec-123456', 'plain-value-1', '/services/T0/B0/XyZ']),
    );
    expect(redactSecrets('posting to https://hooks.slack.com/services/T0/B0/XyZ with plain-value-1', config)).toBe(
      'posting to https://hooks.slack.com*** with ***',
    );
    expect(config.notifications?.[0]).toMatchObject({ timeoutMs: 2000, backoffMs: 10, maxAgeMs: 3_600_000 });
  });

  it('refuses a json target without a secret, an unknown event type and a zero duration, naming each', () => {
    const found = issues(`  - { url: "https://hooks.example/x" }
  - { url: "https://hooks.example/y", secret: k3y-Long-1, events: [run.exploded] }
  - { url: "https://hooks.example/z", secret: k3y-Long-1, timeout: 0s }
  - { url: "ftp://hooks.example/z", secret: k3y-Long-1 }`);
    expect(found).toContain(
      'notifications[0]: a json notification target needs `secret` (every request is signed with it)',
    );
    expect(found).toMatch(/notifications\[1\]\.events\[0\]: .*run\.failed/);
    expect(found).toContain(
      "notifications[2].timeout: timeout must be a positive duration like '10s' or '24h', got \"0s\"",
    );
    expect(found).toMatch(/notifications\[3\]\.url: .*http:\/\/ or https:\/\/ URL/);
  });
});
