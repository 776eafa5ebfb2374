import Table from 'cli-table3';
import type { RunResult } from '../orchestrator/run-result.js';
import { formatBytes, formatRate } from './format-bytes.js';
import { EXTRA_COLUMNS, type SummaryStream } from './summary-stream.js';
import { errorHint } from './with-error-hints.js';

/** No borders: columns separated by two spaces, so scripts can split on /\s{2,}/. */
const PLAIN_CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

export interface SummaryOptions {
  /** Box-drawn borders (a terminal); otherwise plain two-space-separated columns. */
  readonly boxed?: boolean;
}

/**
 * The per-stream summary `rapidbyte run` prints: a headline, one row per stream (status, rows
 * read/written, bytes, duration, rows/s, and skipped, dead-lettered, cursor, LSN, slot lag and
 * schema changes when a stream reports them), then each schema change applied and each failed
 * stream's error with the fix-it hint of its code on the next line.
 */
export function formatRunSummary(result: RunResult, options: SummaryOptions = {}): string {
  const streams = result.streams as readonly SummaryStream[];
  const extras = EXTRA_COLUMNS.filter((c) => streams.some(c.has));
  const head = [
    'stream',
    'status',
    'rows read',
    'rows written',
    'bytes',
    'duration',
    'rows/s',
    ...extras.map((c) => c.header),
  ];
  const aligns = ['left', 'left', 'right', 'right', 'right', 'right', 'right', ...extras.map((c) => c.align)] as const;
  const table = new Table({
    head,
    colAligns: [...aligns],
    style: options.boxed ? { head: [], border: [] } : { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    ...(options.boxed ? {} : { chars: PLAIN_CHARS }),
  });
  for (const s of streams) {
    table.push([
      s.stream,
      s.status,
      s.rowsRead.toLocaleString('en-US'),
      s.rowsWritten.toLocaleString('en-US'),
      formatBytes(s.bytesRead),
      `${(s.durationMs / 1000).toFixed(2)} s`,
      formatRate(s.rowsWritten, s.durationMs),
      ...extras.map((c) => c.cell(s)),
    ]);
  }
  const out = [
    `run ${result.runId} of ${result.pipeline}: ${result.status} in ${(result.durationMs / 1000).toFixed(2)} s`,
    table.toString(),
  ];
  for (const s of streams) {
    for (const change of s.schemaChanges ?? []) out.push(`  ${s.stream}: schema change: ${change}`);
  }
  for (const s of streams) {
    if (!s.error) continue;
    out.push(`  ${s.stream}: ${s.error.stage}: ${s.error.kind} ${s.error.code}: ${s.error.message}`);
    out.push(`    hint: ${errorHint(s.error.code)}`);
  }
  return out.join('\n');
}
