import type { RunRecord, TransitionRecord } from '../state/index.js';
import { formatBytes } from './format-bytes.js';

/**
 * `rapidbyte runs`: one block per run, a line per stream with counts (written = committed; rows
 * attempts rolled back when there were some), bytes read as the run summary shows them, attempts
 * and error.
 */
export function formatRuns(runs: readonly RunRecord[], transitions: (runId: number) => readonly TransitionRecord[]): string {
  if (runs.length === 0) return 'no runs recorded';
  const out: string[] = [];
  for (const run of runs) {
    out.push(`run ${run.runId}  ${run.pipeline}  ${run.status}  ${run.startedAt} → ${run.finishedAt ?? '(running)'}`);
    for (const s of run.streams) {
      const c = s.counts;
      out.push(
        `  ${s.stream}  ${s.status}  read ${c.rowsRead}  written ${c.rowsWritten}  bytes ${formatBytes(c.bytesRead)}  attempts ${s.attempts}` +
          ((c.rowsRolledBack ?? 0) > 0 ? `  rolled back ${c.rowsRolledBack}` : '') +
          ((c.stalls ?? 0) > 0 ? `  stalls: ${c.stalls}` : '') +
          (s.error ? `  ${s.error.kind} ${s.error.code}: ${s.error.message}` : ''),
      );
      for (const t of transitions(run.runId).filter((x) => x.stream === s.stream)) {
        out.push(`    ${t.at}  ${t.from ?? '-'} → ${t.to}${t.reason ? `  (${t.reason})` : ''}`);
      }
    }
  }
  return out.join('\n');
}
