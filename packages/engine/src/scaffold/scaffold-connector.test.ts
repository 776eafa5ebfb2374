import { mkdtempSync, readFileSync, rmSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScaffoldError } from './scaffold-error.js';
import { scaffoldConnector } from './scaffold-connector.js';
import { SCAFFOLD_KINDS } from './scaffold-kinds.js';

const root = mkdtempSync(join(tmpdir(), 'rb-scaffold-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('scaffoldConnector', () => {
  it.each(SCAFFOLD_KINDS)(
    'writes a %s folder cut like the built-in connectors, with its dependencies linked',
    async (kind) => {
      const dir = join(root, `my-${kind}`);
      const result = await scaffoldConnector({ kind, name: `my-${kind}`, dir });
      expect(result.files).toEqual(
        expect.arrayContaining([
          'manifest.json',
          'config-schema.json',
          'package.json',
          'tsconfig.json',
          'src/index.ts',
          'test/connector.test.ts',
        ]),
      );
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
        name: string;
        roles: string[];
        endpointFields: string[];
      };
      expect(manifest).toMatchObject({ name: `my-${kind}`, roles: [kind], endpointFields: [] });
      expect(readFileSync(join(dir, 'test/connector.test.ts'), 'utf8')).toContain(`my-${kind}`);
      expect(result.missing).toEqual([]);
      for (const bin of ['rapidbyte-build', 'tsc', 'vitest'])
        expect(existsSync(join(dir, 'node_modules/.bin', bin))).toBe(true);
      expect(existsSync(join(dir, 'node_modules/@rapidbyte/sdk/package.json'))).toBe(true);
    },
  );

  it('refuses a bad kind, a bad name and a non-empty folder, writing nothing', async () => {
    await expect(
      scaffoldConnector({ kind: 'sink' as 'source', name: 'x', dir: join(root, 'a') }),
    ).rejects.toMatchObject({ code: 'BAD_KIND', details: { allowed: SCAFFOLD_KINDS } });
    await expect(scaffoldConnector({ kind: 'source', name: 'My_Source', dir: join(root, 'b') })).rejects.toBeInstanceOf(
      ScaffoldError,
    );
    const full = join(root, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'x');
    await expect(scaffoldConnector({ kind: 'source', name: 'full', dir: full })).rejects.toMatchObject({
      code: 'TARGET_NOT_EMPTY',
    });
    expect(existsSync(join(root, 'a')) || existsSync(join(root, 'b'))).toBe(false);
  });
});
