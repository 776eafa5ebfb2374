import type { PgColumn } from '@rapidbyte/sdk';
import { GENERATED_COLUMNS_METADATA } from '@rapidbyte/sdk/frames';
import type { TextRow } from './catalog-queries.js';

/** A generated stored column of the source table, from GENERATED_COLUMNS_SQL. */
export interface GeneratedColumn {
  readonly name: string;
  readonly typeName: string;
  readonly expression: string;
  /** Depends on builtin objects and the table's own columns only. */
  readonly builtin: boolean;
  /** The table's columns its expression reads. */
  readonly reads: readonly string[];
}

/** What the destination needs to recreate a generated column: `"name" type GENERATED ALWAYS AS (expression) STORED` at `position` of the stream's columns. */
export interface GeneratedColumnSpec {
  readonly name: string;
  readonly type: string;
  readonly expression: string;
  readonly position: number;
}

/** What a read does with the stream's generated columns. */
export interface GeneratedPlan {
  /** The columns to read: the stream's, without the generated columns the destination computes (or that CDC cannot carry). */
  readonly columns: PgColumn[];
  /** Schema metadata for the frames: the generated columns to recreate; empty when there are none. */
  readonly metadata: [string, string][];
  readonly warnings: string[];
}

/** Rows of GENERATED_COLUMNS_SQL. */
export function generatedColumnsFromRows(rows: readonly TextRow[]): GeneratedColumn[] {
  return rows.map((r) => ({
    name: r[0] ?? '',
    typeName: r[1] ?? '',
    expression: r[2] ?? '',
    builtin: r[3] === 't' || r[3] === 'true',
    reads: JSON.parse(r[4] ?? '[]') as string[],
  }));
}

/**
 * Generated stored columns are computed, not copied: logical replication does not send them, and a
 * copied value goes stale when an update changes what it is computed from. So a generated column
 * the destination can recreate — its expression reads only the stream's other columns and calls
 * only builtin functions, its type is builtin, it is not a key or cursor column (`pinned`) — is left out of the read
 * and described in the frames' metadata; the table the destination creates computes it with the
 * same expression (full_refresh, incremental and CDC alike). One it cannot recreate is read as a
 * plain value by a batch read (`cdc` false), and left out of a CDC stream with a warning: its
 * changes never arrive there.
 */
export function planGeneratedColumns(
  stream: string,
  columns: readonly PgColumn[],
  generated: readonly GeneratedColumn[],
  pinned: readonly string[],
  cdc: boolean,
): GeneratedPlan {
  const byName = new Map(generated.map((g) => [g.name, g]));
  const plain = new Set(columns.filter((c) => !byName.has(c.name)).map((c) => c.name));
  const read: PgColumn[] = [];
  const specs: GeneratedColumnSpec[] = [];
  const warnings: string[] = [];
  columns.forEach((column, position) => {
    const g = byName.get(column.name);
    if (g === undefined) {
      read.push(column);
      return;
    }
    const why = !g.builtin
      ? 'it depends on an object that is not built in (a user-defined function, type or operator)'
      : g.reads.find((r) => !plain.has(r)) !== undefined
        ? `it reads column ${JSON.stringify(g.reads.find((r) => !plain.has(r)))}, which the stream does not read`
        : pinned.includes(g.name)
          ? 'it is a key or cursor column'
          : undefined;
    if (why === undefined) {
      specs.push({ name: g.name, type: g.typeName, expression: g.expression, position });
      return;
    }
    if (!cdc) {
      read.push(column);
      return;
    }
    warnings.push(
      `column ${JSON.stringify(g.name)} is generated (GENERATED ALWAYS AS (${g.expression}) STORED) and logical replication does not send it; ` +
        `the destination cannot compute it because ${why}, so it is left out of the stream`,
    );
  });
  return {
    columns: read,
    metadata: specs.length > 0 ? [[GENERATED_COLUMNS_METADATA, JSON.stringify(specs)]] : [],
    warnings,
  };
}
