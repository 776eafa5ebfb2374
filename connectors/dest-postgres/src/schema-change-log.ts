import type { SchemaChange } from './evolution-policy.js';

/**
 * The schema changes one write session applied, in order, for its result. A `type_change: null`
 * change counts the rows loaded after it (written with NULL in that column).
 */
export class SchemaChangeLog {
  readonly #entries: { readonly change: SchemaChange; readonly rowsBefore: number }[] = [];

  /** Records changes applied when `rowsBefore` rows had been loaded. */
  record(changes: readonly SchemaChange[], rowsBefore: number): void {
    for (const change of changes) this.#entries.push({ change, rowsBefore });
  }

  get size(): number {
    return this.#entries.length;
  }

  /** `{ column, change, action, from?, to?, rows? }` for each change, given the rows loaded in all. */
  list(totalRows: number): SchemaChange[] {
    return this.#entries.map(({ change, rowsBefore }) => {
      const { column, change: kind, action, from, to } = change;
      return {
        column,
        change: kind,
        action,
        ...(from !== undefined && { from }),
        ...(to !== undefined && { to }),
        ...(action === 'null' && { rows: Math.max(0, totalRows - rowsBefore) }),
      };
    });
  }
}
