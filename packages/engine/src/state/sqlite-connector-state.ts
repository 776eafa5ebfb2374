import type Database from 'libsql';
import { requireOptionalText } from './validate.js';

/** Connector key/value state in SQLite, with compare-and-set done in single statements. */
export class SqliteConnectorState {
  readonly #db: Database.Database;
  readonly #now: () => Date;

  constructor(db: Database.Database, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  getKv(scope: string, key: string): string | undefined {
    const row = this.#db.prepare('SELECT value FROM connector_state WHERE scope = ? AND key = ?').get(scope, key) as
      { value: string } | undefined;
    return row?.value;
  }

  putKv(scope: string, key: string, value: string): void {
    requireOptionalText('value', value);
    this.#db
      .prepare(
        `INSERT INTO connector_state (scope, key, value, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(scope, key, value, this.#now().toISOString());
  }

  casKv(scope: string, key: string, expected: string | undefined, value: string): boolean {
    requireOptionalText('value', value);
    requireOptionalText('expected', expected);
    const at = this.#now().toISOString();
    const result =
      expected === undefined
        ? this.#db
            .prepare(
              'INSERT INTO connector_state (scope, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING',
            )
            .run(scope, key, value, at)
        : this.#db
            .prepare('UPDATE connector_state SET value = ?, updated_at = ? WHERE scope = ? AND key = ? AND value = ?')
            .run(value, at, scope, key, expected);
    return result.changes === 1;
  }

  deleteKv(scope: string, key: string): boolean {
    return this.#db.prepare('DELETE FROM connector_state WHERE scope = ? AND key = ?').run(scope, key).changes === 1;
  }

  listKvKeys(scope: string, keyPrefix: string): string[] {
    // substr, not LIKE: a prefix may hold % or _
    const rows = this.#db
      .prepare('SELECT key FROM connector_state WHERE scope = ? AND substr(key, 1, length(?)) = ? ORDER BY key')
      .all(scope, keyPrefix, keyPrefix) as { key: string }[];
    return rows.map((r) => r.key);
  }
}
