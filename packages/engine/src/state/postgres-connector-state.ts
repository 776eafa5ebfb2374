import type pg from 'pg';
import { tableIn } from './postgres-sql.js';
import { requireOptionalText } from './validate.js';

/** Connector key/value state in Postgres, with compare-and-set done in single statements. */
export class PostgresConnectorState {
  readonly #pool: pg.Pool;
  readonly #now: () => Date;
  readonly #table: string;

  constructor(pool: pg.Pool, schema: string, now: () => Date) {
    this.#pool = pool;
    this.#now = now;
    this.#table = tableIn(schema, 'connector_state');
  }

  async getKv(scope: string, key: string): Promise<string | undefined> {
    const row = (
      await this.#pool.query<{ value: string }>(`SELECT value FROM ${this.#table} WHERE scope = $1 AND key = $2`, [
        scope,
        key,
      ])
    ).rows[0];
    return row?.value;
  }

  async putKv(scope: string, key: string, value: string): Promise<void> {
    requireOptionalText('value', value);
    await this.#pool.query(
      `INSERT INTO ${this.#table} (scope, key, value, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [scope, key, value, this.#now().toISOString()],
    );
  }

  async casKv(scope: string, key: string, expected: string | undefined, value: string): Promise<boolean> {
    requireOptionalText('value', value);
    requireOptionalText('expected', expected);
    const at = this.#now().toISOString();
    const result =
      expected === undefined
        ? await this.#pool.query(
            `INSERT INTO ${this.#table} (scope, key, value, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (scope, key) DO NOTHING`,
            [scope, key, value, at],
          )
        : await this.#pool.query(
            `UPDATE ${this.#table} SET value = $1, updated_at = $2 WHERE scope = $3 AND key = $4 AND value = $5`,
            [value, at, scope, key, expected],
          );
    return result.rowCount === 1;
  }

  async deleteKv(scope: string, key: string): Promise<boolean> {
    return (
      (await this.#pool.query(`DELETE FROM ${this.#table} WHERE scope = $1 AND key = $2`, [scope, key])).rowCount === 1
    );
  }

  async listKvKeys(scope: string, keyPrefix: string): Promise<string[]> {
    // left(), not LIKE: a prefix may hold % or _; COLLATE "C" sorts like SQLite (by code point)
    const r = await this.#pool.query<{ key: string }>(
      `SELECT key FROM ${this.#table} WHERE scope = $1 AND left(key, length($2)) = $2 ORDER BY key COLLATE "C"`,
      [scope, keyPrefix],
    );
    return r.rows.map((row) => row.key);
  }
}
