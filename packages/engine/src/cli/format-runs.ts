import type { RunRecord, RunTransitionRecord, TransitionRecord } from '../state/index.js';
import { formatBytes } from './format-bytes.js';

/**
 * `rapidbyte runs`: one block per run — its status, the process that ran it, its error and its own
 * transitions — then a line per stream with counts (written = committed; rows attempts rolled back
 * when there were some), bytes read as the run summary shows them, attempts and error.
 */
export function formatRuns(
  runs: readonly RunRecord[],
  transitions: (runId: number) => readonly TransitionRecord[],
  runTransitions: (runId: number) => readonly RunTransitionRecord[] = () => [],
): string {
  if (runs.length === 0) return 'no runs recorded';
  const out: string[] = [];
  for (const run of runs) {
    const holder = run.holder ? `  (pid ${run.holder.pid} on ${run.holder.host})` : '';
    out.push(
      `run ${run.runId}  ${run.pipeline}  ${run.status}  ${run.startedAt} → ${run.finishedAt ?? `(${run.status})`}${holder}`,
    );
    if (run.error) out.push(`  error: ${run.error.kind} ${run.error.code}: ${run.error.message}`);
    for (const t of runTransitions(run.runId)) {
      out.push(`  ${t.at}  run ${t.from ?? '-'} → ${t.to}${t.reason ? `  (${t.reason})` : ''}`);
    }
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
