// Configuration errors of the built CLI: exit code 2, the key, the value, the allowed values and
// `pipeline.yaml:line:column`; secrets never printed (README "Pipeline YAML reference").
import { describe, expect, it } from 'vitest';
import { runCli, writePipeline, type CliResult } from '../support/run-cli.js';

// No database is reached: a config error stops the CLI before any connection.
const SRC_URL = 'postgres://reader@127.0.0.1:5432/shop';
const DST_URL = 'postgres://loader@127.0.0.1:5432/wh';

interface Parts {
  sourceUse?: string;
  sourceConfig?: string;
  streams?: string;
  destinationConfig?: string;
  destinationExtra?: string;
}

function yaml(parts: Parts = {}): string {
  return `version: "1.0"
pipeline: config_errors
source:
  use: ${parts.sourceUse ?? 'source-postgres'}
  config: ${parts.sourceConfig ?? `{ url: "${SRC_URL}" }`}
  permissions: { network: { allowed_hosts: [127.0.0.1] } }
  streams:
${parts.streams ?? '    - { name: shop.customers, sync_mode: full_refresh }'}
destination:
  use: dest-postgres
  config: ${parts.destinationConfig ?? `{ url: "${DST_URL}" }`}
  permissions: { network: { allowed_hosts: [127.0.0.1] } }
${parts.destinationExtra ?? '  write_mode: append'}
`;
}

/** 1-based `line:column` of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): string {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  expect(line, `${needle} in the YAML`).toBeGreaterThanOrEqual(0);
  return `${line + 1}:${(lines[line] as string).indexOf(needle) + 1}`;
}

async function run(text: string, env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['run', writePipeline(text)], { env, timeoutMs: 60_000 });
}

/** The issue lines of a config error (`  <file>:<line>:<col>: <path>: <message>`). */
function issueLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /pipeline\.yaml:\d+:\d+:/.test(l));
}

describe('rapidbyte run: configuration errors exit 2 and say where and what', () => {
  it('an unknown key names the key, the allowed keys and pipeline.yaml:line:col', async () => {
    const text = yaml({ destinationExtra: '  write_mod: append' });
    const result = await run(text);
    expect(result.code).toBe(2);
    const lines = issueLines(result.stderr);
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    expect(line).toContain(`pipeline.yaml:${positionOf(text, 'write_mod:')}:`);
    expect(line).toContain('write_mod');
    for (const key of ['use', 'config', 'permissions', 'write_mode', 'primary_key']) expect(line).toContain(key);
    expect(line).toMatch(/allowed keys: .*write_mode/);
    expect(result.stdout).toBe('');
  });

  it('a bad enum value names the value and the allowed values', async () => {
    const text = yaml({ streams: '    - { name: shop.customers, sync_mode: sometimes }' });
    const result = await run(text);
    expect(result.code).toBe(2);
    const lines = issueLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`pipeline.yaml:${positionOf(text, 'sometimes')}:`);
    expect(lines[0]).toContain('sync_mode');
    expect(lines[0]).toContain('"sometimes"');
    expect(lines[0]).toContain('full_refresh, incremental, cdc');
  });

  it('every missing ${VAR} is listed in one error with its line', async () => {
    const text = yaml({
      sourceConfig: '{ url: "postgres://reader@${RB_E2E_MISSING_HOST}:5432/shop" }',
      destinationConfig: '{ url: "postgres://loader@127.0.0.1:5432/${RB_E2E_MISSING_DB}" }',
    });
    const result = await run(text);
    expect(result.code).toBe(2);
    // one error (one "rapidbyte:" message), holding both variables
    expect(result.stderr.match(/^rapidbyte:/gm)).toHaveLength(1);
    const lines = issueLines(result.stderr);
    const host = lines.find((l) => l.includes('RB_E2E_MISSING_HOST'));
    const db = lines.find((l) => l.includes('RB_E2E_MISSING_DB'));
    expect(host).toContain(`pipeline.yaml:${positionOf(text, 'RB_E2E_MISSING_HOST').split(':')[0]}:`);
    expect(host).toContain('source.config.url');
    expect(db).toContain(`pipeline.yaml:${positionOf(text, 'RB_E2E_MISSING_DB').split(':')[0]}:`);
    expect(db).toContain('destination.config.url');
    expect(lines).toHaveLength(2);
  });

  it("an unknown key in a connector's config is named", async () => {
    const text = yaml({ destinationConfig: `{ url: "${DST_URL}", colour: red }` });
    const result = await run(text);
    expect(result.code).toBe(2);
    const lines = issueLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`pipeline.yaml:${positionOf(text, 'colour')}:`);
    expect(lines[0]).toContain("'colour'");
    expect(lines[0]).toMatch(/allowed keys: .*url/);
  });

  it('an unknown connector is named', async () => {
    const text = yaml({ sourceUse: 'no-such-connector' });
    const result = await run(text);
    expect(result.code).toBe(2);
    const lines = issueLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`pipeline.yaml:${positionOf(text, 'no-such-connector')}:`);
    expect(lines[0]).toContain('no-such-connector');
  });

  it('full_refresh × replace is valid; cdc × replace names the stream and the valid write modes', async () => {
    // valid pair: `check` passes the config stage (connectivity then fails: no server on 5432 is assumed)
    const valid = await runCli(['check', writePipeline(yaml({ destinationExtra: '  write_mode: replace' }))], {
      timeoutMs: 60_000,
    });
    expect(valid.stdout).toMatch(/^OK\s+config /m);
    expect(valid.code).not.toBe(2);

    const text = yaml({ streams: '    - { name: shop.customers, sync_mode: cdc, write_mode: replace }' });
    const result = await run(text);
    expect(result.code).toBe(2);
    const lines = issueLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`pipeline.yaml:${positionOf(text, 'replace').split(':')[0]}:`);
    expect(lines[0]).toContain('shop.customers');
    expect(lines[0]).toContain("'replace'");
    expect(lines[0]).toMatch(/valid write modes for cdc: (upsert, append|append, upsert)/);
  });

  it('a config error never prints a password taken from ${DB_PASSWORD}', async () => {
    const password = 'Zq9-hunter2-s3cret';
    const text = yaml({
      sourceConfig: '{ url: "postgres://reader:${DB_PASSWORD}@127.0.0.1:5432/shop" }',
      destinationConfig: '{ url: "postgres://loader:${DB_PASSWORD}@127.0.0.1:5432/wh", colour: red }',
      // the secret also lands in a value the error echoes
      destinationExtra: '  write_mode: "${DB_PASSWORD}"',
    });
    // the secret in fields whose errors echo the value: a wrong type and a password of the wrong type
    const fields = yaml({
      destinationConfig:
        '{ host: 127.0.0.1, user: loader, database: wh, password: "${DB_PASSWORD}", port: "${DB_PASSWORD}" }',
      sourceConfig: `{ host: 127.0.0.1, user: reader, database: shop, password: ${password.length} }`,
    });
    const cases: [string[], string, string][] = [
      [['run'], text, "'colour'"],
      [['run', '--json'], text, 'write_mode'],
      [['check'], text, "'colour'"],
      [['run'], fields, 'destination.config.port'],
      [['check'], fields, 'source.config.password'],
    ];
    for (const [args, pipelineText, named] of cases) {
      const result = await runCli([...args, writePipeline(pipelineText)], {
        env: { DB_PASSWORD: password },
        timeoutMs: 60_000,
      });
      expect(result.code).toBe(2);
      expect(
        issueLines(result.stderr).some((l) => l.includes(named)),
        result.stderr,
      ).toBe(true);
      for (const out of [result.stdout, result.stderr]) {
        expect(out).not.toContain(password);
        expect(out).not.toContain('hunter2');
        expect(out).not.toContain(encodeURIComponent(password));
      }
    }
  });
});
