import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHost } from '../runtime/capability-policy.js';
import { capabilityPolicyOf } from '../orchestrator/capability-policy-of.js';
import { ConfigError } from './config-error.js';
import { loadPipelineConfig, type ConnectorSchemaResolver } from './load-pipeline-config.js';
import type { PipelineConfig } from './pipeline-config.js';

/** source-postgres and dest-postgres declare `url` and `host`; the transform declares nothing. */
const resolveConnector: ConnectorSchemaResolver = (use) => ({
  configSchema: { type: 'object' },
  ...(use.endsWith('-postgres') && { endpointFields: ['url', 'host'] }),
});

function load(
  blocks: { source?: string; destination?: string; transforms?: string },
  env: Record<string, string> = {},
): PipelineConfig {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-netperm-'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    `version: "1.0"
pipeline: netperm
source:
  use: source-postgres
  ${blocks.source ?? 'config: { url: "postgresql://reader:${PGPASSWORD}@db.example.com:5432,db2.example.com:5433/shop" }'}
  streams:
    - { name: public.a, sync_mode: full_refresh }
${blocks.transforms ?? ''}
destination:
  use: dest-postgres
  ${blocks.destination ?? 'config: { host: "[::1]", port: 5432, user: w, database: wh }'}
`,
  );
  return loadPipelineConfig(file, { env: { PGPASSWORD: 'pw-0f-the-reader', ...env }, resolveConnector });
}

function refusal(call: () => void): string {
  try {
    call();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('permissions.network: the config hosts, allowed_hosts and allowed_hosts_only', () => {
  it('a block without permissions gets the hosts of its endpoint fields', () => {
    const config = load({});
    expect(config.source.permissions.network).toEqual({
      allowedHosts: [],
      endpointHosts: [
        { host: 'db.example.com', field: 'url' },
        { host: 'db2.example.com', field: 'url' },
      ],
    });
    expect(config.destination.permissions.network).toEqual({
      allowedHosts: [],
      endpointHosts: [{ host: '::1', field: 'host' }],
    });
    const source = capabilityPolicyOf(config.source, 'source', undefined);
    expect(() => checkHost(source, 'db.example.com', 5432)).not.toThrow();
    expect(() => checkHost(source, 'DB2.example.com', 5433)).not.toThrow();
    expect(() =>
      checkHost(capabilityPolicyOf(config.destination, 'destination', undefined), '[::1]', 5432),
    ).not.toThrow();
  });

  it('allowed_hosts adds to them', () => {
    const config = load({
      source: `config: { url: "postgres://db.example.com/shop" }\n  permissions: { network: { allowed_hosts: [api.example.com] } }`,
    });
    const policy = capabilityPolicyOf(config.source, 'source', undefined);
    expect(() => checkHost(policy, 'db.example.com', 5432)).not.toThrow();
    expect(() => checkHost(policy, 'api.example.com', 443)).not.toThrow();
    expect(refusal(() => checkHost(policy, 'other.example.com', 443))).toContain(
      'to grant it, set source.permissions.network.allowed_hosts: [api.example.com, other.example.com]',
    );
  });

  it('allowed_hosts_only: true makes allowed_hosts the only grant', () => {
    const config = load({
      source: `config: { url: "postgres://db.example.com/shop" }\n  permissions: { network: { allowed_hosts: [replica.example.com], allowed_hosts_only: true } }`,
    });
    expect(config.source.permissions.network).toMatchObject({
      allowedHosts: ['replica.example.com'],
      allowedHostsOnly: true,
    });
    const policy = capabilityPolicyOf(config.source, 'source', undefined);
    expect(() => checkHost(policy, 'replica.example.com', 5432)).not.toThrow();
    expect(refusal(() => checkHost(policy, 'db.example.com', 5432))).toMatch(
      /allowed_hosts_only: true grants nothing else \(not the config's hosts: db\.example\.com from config\.url\)/,
    );
  });

  it('allowed_hosts_only: false is the default', () => {
    const config = load({
      source: `config: { url: "postgres://db.example.com/shop" }\n  permissions: { network: { allowed_hosts_only: false } }`,
    });
    expect(config.source.permissions.network).toEqual({
      allowedHosts: [],
      endpointHosts: [{ host: 'db.example.com', field: 'url' }],
    });
  });

  it('a connector that declares no endpoint fields gets no hosts from its config; the refusal names its transforms[i] key', () => {
    const config = load({
      transforms: 'transforms:\n  - { use: my-transform, config: { url: "https://api.example.com" } }',
    });
    expect(config.transforms[0]?.permissions.network).toEqual({ allowedHosts: [] });
    const message = refusal(() =>
      checkHost(capabilityPolicyOf(config.transforms[0]!, 'transforms[0]', undefined), 'api.example.com', 443),
    );
    expect(message).toContain(
      "host is neither in the connector's config (none) nor in transforms[0].permissions.network.allowed_hosts (empty)",
    );
    expect(message).toContain('set transforms[0].permissions.network.allowed_hosts: [api.example.com]');
  });

  it('never puts the password of a URL into what it grants or refuses', () => {
    const config = load(
      { source: 'config: { url: "postgres://reader:${PGPASSWORD}@db.example.com/shop" }' },
      { PGPASSWORD: 's3cr3t/pw?host=leak' },
    );
    expect(JSON.stringify(config.source.permissions)).not.toContain('s3cr3t');
    expect(JSON.stringify(config.source.permissions)).not.toContain('leak');
    const message = refusal(() => checkHost(capabilityPolicyOf(config.source, 'source', undefined), 'elsewhere', 1));
    expect(message).not.toContain('s3cr3t');
  });

  it('rejects allowed_hosts_only that is not a boolean', () => {
    expect(() =>
      load({
        source: `config: { url: "postgres://db/x" }\n  permissions: { network: { allowed_hosts_only: yes-please } }`,
      }),
    ).toThrow(ConfigError);
  });
});
