import type pg from 'pg';
import type { TableRef } from './pg-url.mjs';

/** A row, every value as PostgreSQL text output (TimeZone=UTC, DateStyle=ISO). */
export type TextRow = Record<string, string | null>;

/** Result of comparing two tables as multisets of text rows. */
export interface TableDiff {
  readonly equal: boolean;
  readonly sourceRows: number;
  readonly destinationRows: number;
  readonly onlyInSourceCount: number;
  readonly onlyInDestinationCount: number;
  /** First 50 rows present in source but not destination (with multiplicity). */
  readonly onlyInSource: TextRow[];
  readonly onlyInDestination: TextRow[];
}

/** A table or column asked for does not exist. */
export class TableCompareError extends Error {
  readonly table: string;
  readonly column: string | undefined;
  constructor(message: string, data: { table: string; column?: string });
}

export function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T>;

/**
 * EXCEPT ALL both ways between tables in two databases. columns default to all source columns;
 * castJsonToText (default true) compares json by exact text, false by its jsonb normal form.
 */
export function compareTables(
  srcUrl: string,
  srcTable: TableRef,
  dstUrl: string,
  dstTable: TableRef,
  options?: { columns?: string[]; castJsonToText?: boolean },
): Promise<TableDiff>;

/** Row count and md5 of the rows' text in `orderBy` order, computed in SQL. */
export function tableDigest(
  url: string,
  table: TableRef,
  orderBy: string | string[],
  options?: { columns?: string[] },
): Promise<{ rows: number; md5: string }>;
