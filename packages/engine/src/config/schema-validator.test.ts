import { LineCounter } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { IssueCollector } from './issue-collector.js';
import { cacheSchemaValidators, validateWithSchema } from './schema-validator.js';
import { YamlLocations } from './yaml-locations.js';

const issuesFor = (): IssueCollector => new IssueCollector('p.yaml', new YamlLocations(new LineCounter()), new Set());

const schema = (id: string, required: string) => ({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: id,
  type: 'object',
  properties: { [required]: { type: 'string' } },
  required: [required],
  additionalProperties: false,
});

describe('validateWithSchema with the compiled-schema cache', () => {
  afterEach(() => cacheSchemaValidators(true));

  for (const caching of [true, false]) {
    it(`reports each validation's own errors from one compiled schema (cache ${caching ? 'on' : 'off'})`, () => {
      cacheSchemaValidators(caching);
      const s = schema('https://example.test/a', 'url');
      const first = issuesFor();
      expect(validateWithSchema(s, { url: 'x' }, ['source', 'config'], first, 'source-postgres config schema')).toBe(
        true,
      );
      expect(first.issues).toEqual([]);
      const second = issuesFor();
      expect(validateWithSchema(s, { other: 1 }, ['source', 'config'], second, 'source-postgres config schema')).toBe(
        true,
      );
      expect(second.issues.map((i) => i.message)).toEqual(
        expect.arrayContaining([
          expect.stringContaining("unknown key 'other'"),
          expect.stringContaining("missing required key 'url'"),
        ]),
      );
      const third = issuesFor();
      expect(validateWithSchema(s, { url: 'y' }, ['source', 'config'], third, 'source-postgres config schema')).toBe(
        true,
      );
      expect(third.issues).toEqual([]);
    });
  }

  it('compiles two different schemas that carry the same $id (two connectors, one shared ajv)', () => {
    const a = issuesFor();
    validateWithSchema(schema('https://example.test/same', 'url'), { host: 'h' }, ['source', 'config'], a, 'a');
    const b = issuesFor();
    validateWithSchema(schema('https://example.test/same', 'host'), { host: 'h' }, ['destination', 'config'], b, 'b');
    expect(a.issues.map((i) => i.message)).toEqual(
      expect.arrayContaining([expect.stringContaining("missing required key 'url'")]),
    );
    expect(b.issues).toEqual([]);
  });

  it('reports a schema that does not compile every time it is used, not only the first', () => {
    const bad = { type: 'object', properties: { x: { type: 'no-such-type' } } };
    for (let i = 0; i < 2; i++) {
      const issues = issuesFor();
      expect(validateWithSchema(bad, {}, ['source', 'config'], issues, 'broken config schema')).toBe(false);
      expect(issues.issues[0]?.message).toContain('broken config schema is not a valid JSON Schema');
    }
  });
});
