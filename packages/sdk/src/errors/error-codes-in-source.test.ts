import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './error-codes.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Source files of the engine, the SDK and the connectors (tests, builds and declarations aside). */
function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'node_modules' && name !== 'test-support') walk(path);
      } else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) {
        files.push(path);
      }
    }
  };
  for (const area of ['packages', 'connectors']) {
    for (const pkg of readdirSync(join(ROOT, area))) {
      const src = join(ROOT, area, pkg, 'src');
      if (statSync(src, { throwIfNoEntry: false })?.isDirectory()) walk(src);
    }
  }
  return files;
}

const CODE = String.raw`'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)'`;
/** Where a code literal is given to an error: factories, constructors, `code:` fields, fallbacks. */
const CODE_SITES = [
  new RegExp(String.raw`\b(?:permanent|transient)\(\s*${CODE}`, 'g'),
  new RegExp(String.raw`\bnew ConnectorError\(\s*'(?:permanent|transient)',\s*${CODE}`, 'g'),
  new RegExp(String.raw`\bnew [A-Z]\w*(?:Error|Denied|Failed)\(\s*(?:[\w.]+,\s*)?${CODE}`, 'g'),
  new RegExp(String.raw`\b(?:cdcError|componentError|failure|fail|failed)\(\s*${CODE}`, 'g'),
  new RegExp(String.raw`\bclassifyError\([^()]*,\s*${CODE}\s*\)`, 'g'),
  new RegExp(String.raw`\b\w*[cC]ode\??\s*[:=]\s*${CODE}`, 'g'),
  new RegExp(String.raw`\bcode\s*\?\?\s*${CODE}`, 'g'),
  // SQLSTATE -> code tables
  new RegExp(String.raw`'[0-9A-Z]{5}':\s*${CODE}`, 'g'),
];
/** `code: 'A' | 'B'` unions and `*_ERROR_CODES = [...]` lists. */
const CODE_LISTS = [
  /\bcode\??:\s*((?:'[A-Z0-9_]+'\s*\|\s*)+'[A-Z0-9_]+')/g,
  /_(?:ERROR|ENCODE)_CODES\s*=\s*\[([^\]]*)\]/g,
];
/** Node's own error codes: the host classifies them (CONNECTION_FAILED), they never reach a stream. */
const NODE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED']);

/** Every code literal the source hands to an error, with the files it appears in. */
function codesInSource(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (code: string, file: string): void => {
    if (NODE_CODES.has(code)) return;
    const where = found.get(code) ?? [];
    if (!where.includes(file)) where.push(file);
    found.set(code, where);
  };
  for (const path of sourceFiles()) {
    const text = readFileSync(path, 'utf8');
    const file = relative(ROOT, path);
    for (const site of CODE_SITES) for (const m of text.matchAll(site)) add(m[1] as string, file);
    for (const list of CODE_LISTS)
      for (const m of text.matchAll(list))
        for (const c of (m[1] as string).matchAll(/'([A-Z][A-Z0-9_]*)'/g)) add(c[1] as string, file);
  }
  return found;
}

describe('codes in the source', () => {
  const found = codesInSource();

  it('the scan finds the codes it should (it would pass vacuously if its patterns broke)', () => {
    expect(found.size).toBeGreaterThan(120);
    for (const code of [
      'CONFIG_INVALID',
      'NETWORK_DENIED',
      'CONNECTION_LOST',
      'ROW_REJECTED',
      'NULL_IN_NOT_NULL',
      'SLOT_INVALIDATED',
      'STATE_WRITE_FAILED',
      'CANCELLED',
      'HOST_ERROR',
      'PREFLIGHT_FAILED',
      'TRUNCATED',
    ]) {
      expect(found.has(code), code).toBe(true);
    }
  });

  it('every code thrown anywhere in packages/ and connectors/ is in the registry', () => {
    const missing = [...found]
      .filter(([code]) => !(code in ERROR_CODES))
      .map(([code, files]) => `${code} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });
});
