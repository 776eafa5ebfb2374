import type pg from 'pg';
import { quoteQualified } from '@rapidbyte/sdk/postgres';

/** What a query needs: a pool or one connection (a transaction's). */
export type PgQueryable = Pick<pg.Pool | pg.PoolClient | pg.Client, 'query'>;

/** The schema-qualified, quoted name of a state table; nothing is spliced into SQL unquoted. */
export function tableIn(schema: string, table: string): string {
  return quoteQualified(schema, table);
}

/** A bigint/int8 column (text in node-postgres) as a number; state counts and ids are safe integers. */
export function int8(value: string | number | null): number {
  return Number(value);
}

/**
 * Runs `fn` inside BEGIN/COMMIT on one pooled connection; rolls back on error. A connection whose
 * rollback failed is destroyed instead of going back to the pool.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken ? true : undefined);
  }
}

/** The SQLSTATE of a node-postgres error, if it is one. */
export function sqlstateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
