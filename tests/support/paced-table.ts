// Tables the kill/interrupt tests load: a large shuffled source and a destination that commits slowly.

/** Columns of the kill tests' `big` table (a key, a cursor with three rows per value, text, numeric, timestamptz). */
export const BIG_COLUMNS_DDL =
  'id bigint NOT NULL, cur bigint NOT NULL, hash text NOT NULL, amount numeric(12,2) NOT NULL, at timestamptz NOT NULL';

/**
 * SQL: `table` with BIG_COLUMNS_DDL and a primary key, holding ids 1..rows stored in a shuffled
 * order (so reading in key order is the reader's doing), analysed.
 */
export function shuffledBigTableSql(table: string, rows: number): string {
  return `
    CREATE TABLE ${table} (${BIG_COLUMNS_DDL}, PRIMARY KEY (id));
    INSERT INTO ${table}
      SELECT g, g / 3, md5(g::text), g * 1.5, '2024-01-01'::timestamptz + g * interval '1 second'
        FROM generate_series(1, ${rows}) g ORDER BY md5(g::text);
    ANALYZE ${table};`;
}

/**
 * SQL: a destination table whose CHECK constraint sleeps 0.1 s every 5,000 ids, so a chunk of
 * 20,000 rows takes ≥ 0.4 s to commit and "after the first commit and before the end" is a window
 * of seconds, not a race. `extra` goes into the column list (e.g. `, PRIMARY KEY (id)`); without a
 * key, a row loaded twice is stored twice and seen.
 */
export function pacedTableDdl(table: string, columnsDdl: string, extra = ''): string {
  return `
    CREATE FUNCTION public.rb_test_pace(id bigint) RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN
      IF id % 5000 = 0 THEN PERFORM pg_sleep(0.1); END IF;
      RETURN true;
    END $$;
    CREATE TABLE ${table} (${columnsDdl}${extra}, CONSTRAINT paced CHECK (public.rb_test_pace(id)));`;
}

/**
 * SQL: keyless destination tables (BIG_COLUMNS_DDL) whose CHECK constraint sleeps 0.1 s every
 * `everyIds` ids (default 1,000: a chain of 100,000 rows takes ≥ 10 s), for tests that must act
 * while a chain is loading (kill, stop, hand over a worker). Without a key, a row loaded twice is
 * stored twice and seen.
 */
export function slowDestinationDdl(tables: readonly string[], everyIds = 1000): string {
  return `CREATE FUNCTION public.rb_slow_pace(id bigint) RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN IF id % ${everyIds} = 0 THEN PERFORM pg_sleep(0.1); END IF; RETURN true; END $$;
    ${tables.map((t) => `CREATE TABLE ${t} (${BIG_COLUMNS_DDL}, CONSTRAINT paced CHECK (public.rb_slow_pace(id)));`).join('\n    ')}`;
}
