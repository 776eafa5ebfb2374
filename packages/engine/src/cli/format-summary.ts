import type { RunResult } from '../orchestrator/run-result.js';
import type { CheckItem } from '../orchestrator/check-pipeline.js';

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The per-stream summary `rapidbyte run` prints. */
export function formatRunSummary(result: RunResult): string {
  const rows = result.streams.map((s) => {
    const secs = s.durationMs / 1000;
    return [
      s.stream,
      s.status,
      s.rowsRead.toLocaleString('en-US'),
      s.rowsWritten.toLocaleString('en-US'),
      bytes(s.bytesRead),
      `${secs.toFixed(2)} s`,
      secs > 0 ? Math.round(s.rowsWritten / secs).toLocaleString('en-US') : '-',
    ];
  });
  const out = [
    `run ${result.runId} of ${result.pipeline}: ${result.status} in ${(result.durationMs / 1000).toFixed(2)} s`,
    table(['stream', 'status', 'rows read', 'rows written', 'bytes', 'duration', 'rows/s'], rows),
  ];
  for (const s of result.streams) {
    if (s.error) out.push(`  ${s.stream}: ${s.error.stage}: ${s.error.kind} ${s.error.code}: ${s.error.message}`);
  }
  return out.join('\n');
}

export function formatCheck(items: readonly CheckItem[]): string {
  return items.map((i) => `${i.ok ? 'OK    ' : 'FAILED'}  ${i.role} ${i.connector}: ${i.name}${i.message ? ` — ${i.message}` : ''}`).join('\n');
}
