import { readFileSync } from 'node:fs';

/** The engine package's version, read from its `package.json` (two levels above `dist/cli/`). */
export function engineVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
