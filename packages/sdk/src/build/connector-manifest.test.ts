import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConnectorManifest, undeclaredEndpointFields } from './connector-manifest.js';

function manifestDir(manifest: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'rb-manifest-'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

const BASE = { name: 'my-source', version: '1.0.0', roles: ['source'] };

describe('readConnectorManifest: endpointFields', () => {
  it('defaults to none', () => {
    expect(readConnectorManifest(manifestDir(BASE)).endpointFields).toEqual([]);
  });

  it('reads field names and dotted paths', () => {
    const manifest = readConnectorManifest(
      manifestDir({ ...BASE, endpointFields: ['url', 'host', 'replica.url', 'api_base-url'] }),
    );
    expect(manifest.endpointFields).toEqual(['url', 'host', 'replica.url', 'api_base-url']);
    expect(Object.isFrozen(manifest.endpointFields)).toBe(true);
  });

  it.each([['url'], [['url', 3]], [['']], [['a..b']], [['.url']], [['url ']]])(
    'rejects %j, naming the file and the key',
    (endpointFields) => {
      const dir = manifestDir({ ...BASE, endpointFields });
      expect(() => readConnectorManifest(dir)).toThrow(
        `${join(dir, 'manifest.json')}: "endpointFields" must be a list of config field names`,
      );
    },
  );
});

describe('undeclaredEndpointFields', () => {
  const schema = {
    type: 'object',
    properties: {
      url: { type: 'string' },
      replica: { type: 'object', properties: { host: { type: 'string' } } },
      extra: { type: 'object' },
    },
    oneOf: [{ properties: { host: { type: 'string' } } }],
  };

  it('accepts properties, properties of oneOf branches, nested paths and paths into free-form objects', () => {
    expect(
      undeclaredEndpointFields({ endpointFields: ['url', 'host', 'replica.host', 'extra.anything'] }, schema),
    ).toEqual([]);
  });

  it('lists the fields the schema does not describe', () => {
    expect(undeclaredEndpointFields({ endpointFields: ['urll', 'replica.url', 'url'] }, schema)).toEqual([
      'urll',
      'replica.url',
    ]);
  });
});
