import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION, migrateSqlite, readSchemaVersion } from './migrations.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { openSqliteStateStore } from './sqlite-state-store.js';
import { StateError } from './state-error.js';

const dirs: string[] = [];
function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rb-state-'));
  dirs.push(dir);
  return join(dir, 'nested', 'deeper', 'state.db');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('state DB migrations', () => {
  it('creates the parent directory, applies every migration, and uses WAL with a busy timeout', async () => {
    const path = tempDbPath();
    await openSqliteStateStore(path).close();
    const db = new Database(path, { readonly: true });
    expect(readSchemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(
      MIGRATIONS.map((_, i) => i + 1),
    );
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all();
    for (const t of [
      'runs',
      'stream_runs',
      'state_transitions',
      'cursors',
      'connector_state',
      'dead_letters',
      'pipeline_locks',
    ]) {
      expect(tables).toContain(t);
    }
    // The libSQL binding's `pragma(…, { simple: true })` and `pluck().get()` return the row object.
    expect(db.prepare('PRAGMA journal_mode').all()).toEqual([{ journal_mode: 'wal' }]);
    db.close();
  });

  it('is a no-op on reopen and keeps the data', async () => {
    const path = tempDbPath();
    const first = openSqliteStateStore(path);
    const runId = await first.beginRun('p', ['a']);
    await first.close();
    const db = new Database(path);
    expect(migrateSqlite(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    expect(db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().all()).toEqual([SCHEMA_VERSION]);
    db.close();
    const second = openSqliteStateStore(path);
    expect((await second.getRun(runId))?.pipeline).toBe('p');
    await second.close();
  });

  it('applies only the missing migrations, in order', () => {
    const db = new Database(':memory:');
    expect(migrateSqlite(db, ['CREATE TABLE a (x)'])).toEqual({ from: 0, to: 1 });
    expect(migrateSqlite(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)'])).toEqual({ from: 1, to: 2 });
    expect(readSchemaVersion(db)).toBe(2);
    db.close();
  });

  it('rolls back a failing migration entirely', () => {
    const db = new Database(':memory:');
    expect(() => migrateSqlite(db, ['CREATE TABLE a (x)', 'CREATE TABLE oops ('])).toThrow();
    expect(readSchemaVersion(db)).toBe(0);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'a'`).get()).toBeUndefined();
    db.close();
  });

  it('the Postgres migrations are numbered like these: one per SQLite migration', () => {
    expect(POSTGRES_MIGRATIONS).toHaveLength(MIGRATIONS.length);
  });

  it('refuses a database written by a newer engine', () => {
    const db = new Database(':memory:');
    migrateSqlite(db, ['SELECT 1', 'SELECT 1', 'SELECT 1']);
    let error: unknown;
    try {
      migrateSqlite(db, ['SELECT 1']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe('SCHEMA_TOO_NEW');
    expect((error as StateError).details).toMatchObject({ found: 3, supported: 1 });
    db.close();
  });
});
