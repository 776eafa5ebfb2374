import type { ConfigPath } from './config-path.js';
import type { IssueCollector } from './issue-collector.js';
import { isStreamPattern } from './stream-pattern.js';
import { SYNC_MODES, VALID_MODE_PAIRS, WRITE_MODES, type SyncMode, type WriteMode } from './modes.js';

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSyncMode = (v: unknown): v is SyncMode => SYNC_MODES.includes(v as SyncMode);
const isWriteMode = (v: unknown): v is WriteMode => WRITE_MODES.includes(v as WriteMode);
const keyColumns = (v: unknown): string[] | undefined =>
  typeof v === 'string' ? [v] : Array.isArray(v) && v.every((c) => typeof c === 'string') ? v : undefined;

/** `public.users` and `users` name the same table (a bare name means the public schema). */
export function qualifiedStreamName(name: string): string {
  return name.includes('.') ? name : `public.${name}`;
}

/**
 * Checks the rules a JSON Schema cannot express, on the raw (snake_case) document, tolerating
 * parts the schema already rejected: (sync_mode, write_mode) pairs after resolving the
 * destination default, `cursor_field` for incremental streams and inside `columns`, upsert
 * keys inside `columns`, duplicate stream names, `exclude` only and `destination_table` never
 * on a pattern stream. `upsert` without a key is fine here: the key
 * defaults to the source table's primary key.
 */
export function checkStreams(doc: unknown, issues: IssueCollector): void {
  if (!isObject(doc) || !isObject(doc.source) || !Array.isArray(doc.source.streams)) return;
  const destination = isObject(doc.destination) ? doc.destination : {};
  const defaultWriteMode = destination.write_mode ?? 'append';
  const firstLineOf = new Map<string, number | undefined>();
  doc.source.streams.forEach((stream, index) => {
    if (!isObject(stream)) return;
    const at: ConfigPath = ['source', 'streams', index];
    const name = typeof stream.name === 'string' ? stream.name : `#${index + 1}`;
    if (typeof stream.name === 'string') {
      const qualified = qualifiedStreamName(stream.name);
      if (firstLineOf.has(qualified)) {
        const line = firstLineOf.get(qualified);
        const where = line === undefined ? '' : ` (first defined on line ${line})`;
        issues.add([...at, 'name'], `duplicate stream '${qualified}'${where}`);
      } else {
        firstLineOf.set(qualified, issues.locations.locate([...at, 'name'])?.line);
      }
    }
    const pattern = typeof stream.name === 'string' && isStreamPattern(stream.name);
    if (stream.exclude !== undefined && !pattern) {
      issues.add([...at, 'exclude'], `stream '${name}': exclude needs a pattern name (like 'public.*')`);
    }
    if (pattern && stream.destination_table !== undefined) {
      issues.add(
        [...at, 'destination_table'],
        `stream '${name}': a pattern selects many tables; destination_table names one (use destination.table_prefix)`,
      );
    }
    const syncMode = stream.sync_mode;
    if (!isSyncMode(syncMode)) return;
    const writeMode = stream.write_mode ?? defaultWriteMode;
    if (isWriteMode(writeMode) && !VALID_MODE_PAIRS[syncMode].includes(writeMode)) {
      const path: ConfigPath =
        stream.write_mode !== undefined
          ? [...at, 'write_mode']
          : destination.write_mode !== undefined
            ? ['destination', 'write_mode']
            : [...at, 'sync_mode'];
      const valid = VALID_MODE_PAIRS[syncMode].join(', ');
      issues.add(
        path,
        `stream '${name}': write_mode '${writeMode}' cannot be used with sync_mode '${syncMode}'; valid write modes for ${syncMode}: ${valid}`,
      );
    }
    const cursor = stream.cursor_field;
    if (syncMode === 'incremental' && cursor === undefined) {
      issues.add([...at, 'cursor_field'], `stream '${name}': sync_mode 'incremental' needs a cursor_field`);
    }
    if (syncMode !== 'incremental' && stream.on_null_cursor !== undefined) {
      issues.add(
        [...at, 'on_null_cursor'],
        `stream '${name}': on_null_cursor applies to sync_mode 'incremental' only (the stream is '${syncMode}')`,
      );
    }
    const columns = Array.isArray(stream.columns) ? stream.columns : undefined;
    if (columns === undefined) return;
    if (typeof cursor === 'string' && !columns.includes(cursor)) {
      issues.add([...at, 'columns'], `stream '${name}': columns must include the cursor_field '${cursor}'`);
    }
    const key = keyColumns(stream.primary_key ?? destination.primary_key);
    if (writeMode === 'upsert' && key !== undefined) {
      const absent = key.filter((c) => !columns.includes(c));
      if (absent.length > 0) {
        issues.add(
          [...at, 'columns'],
          `stream '${name}': columns must include the primary_key column(s) ${absent.join(', ')} for upsert`,
        );
      }
    }
  });
}
