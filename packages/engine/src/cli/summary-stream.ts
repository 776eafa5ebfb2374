import type { StreamResult } from '../orchestrator/run-result.js';

/**
 * A stream result with the optional fields some runs carry (CDC, DLQ, schema evolution). Read
 * here with optional chaining so the summary shows them as soon as the orchestrator sets them.
 */
export type SummaryStream = StreamResult & {
  readonly rowsSkipped?: number;
  readonly rowsDeadLettered?: number;
  /** Rows attempts sent to the destination that were rolled back (not in `rowsWritten`). */
  readonly rowsRolledBack?: number;
  readonly cursor?: unknown;
  readonly lsn?: string;
  readonly slotLagBytes?: number;
  readonly schemaChanges?: readonly string[];
};

/** An optional column of the summary: shown when at least one stream has the field. */
export interface ExtraColumn {
  readonly header: string;
  readonly has: (s: SummaryStream) => boolean;
  readonly cell: (s: SummaryStream) => string;
  readonly align: 'left' | 'right';
}

const count = (n: number | undefined): string => (n === undefined ? '-' : n.toLocaleString('en-US'));
const text = (v: unknown): string =>
  v === undefined || v === null ? '-' : typeof v === 'string' ? v : JSON.stringify(v);

/** The optional columns in display order. */
export const EXTRA_COLUMNS: readonly ExtraColumn[] = [
  { header: 'shards', has: (s) => s.shards !== undefined, cell: (s) => count(s.shards), align: 'right' },
  {
    header: 'rolled back',
    has: (s) => (s.rowsRolledBack ?? 0) > 0,
    cell: (s) => count(s.rowsRolledBack ?? 0),
    align: 'right',
  },
  { header: 'stalls', has: (s) => (s.stalls ?? 0) > 0, cell: (s) => count(s.stalls ?? 0), align: 'right' },
  { header: 'skipped', has: (s) => s.rowsSkipped !== undefined, cell: (s) => count(s.rowsSkipped), align: 'right' },
  {
    header: 'dead-lettered',
    has: (s) => s.rowsDeadLettered !== undefined,
    cell: (s) => count(s.rowsDeadLettered),
    align: 'right',
  },
  { header: 'cursor', has: (s) => s.cursor !== undefined, cell: (s) => text(s.cursor), align: 'left' },
  { header: 'lsn', has: (s) => s.lsn !== undefined, cell: (s) => text(s.lsn), align: 'left' },
  {
    header: 'slot lag',
    has: (s) => s.slotLagBytes !== undefined,
    cell: (s) => (s.slotLagBytes === undefined ? '-' : formatLag(s.slotLagBytes)),
    align: 'right',
  },
  {
    header: 'schema changes',
    has: (s) => s.schemaChanges !== undefined,
    cell: (s) => count(s.schemaChanges?.length),
    align: 'right',
  },
];

function formatLag(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
