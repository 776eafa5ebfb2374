import type { CdcLagSample, RunRecord } from '../state/index.js';
import { renderLagChart } from './render-lag-chart.js';

/** What the dashboard shows of one pipeline. */
export interface DashboardPipeline {
  readonly pipeline: string;
  /** The schedule as written (`every 2s`, `cron 30 2 * * * Europe/Berlin`), or how it starts (`after raw_orders`). */
  readonly schedule: string;
  readonly nextFire?: string;
  readonly paused: boolean;
  /** Newest first. */
  readonly runs: readonly RunRecord[];
  /** Dead letters per stream (of the newest letters read). */
  readonly deadLetters: ReadonlyMap<string, number>;
  /** The CDC streams and their lag samples of the last hour (absent: the pipeline has no CDC stream). */
  readonly cdcLag?: { readonly streams: readonly string[]; readonly samples: readonly CdcLagSample[] };
}

const COLORS: Readonly<Record<string, string>> = {
  succeeded: '#2e9d4a',
  failed: '#d1382f',
  partial: '#e8a317',
  cancelled: '#8a8f98',
  interrupted: '#7b4fc9',
  running: '#2f7ed8',
  pending: '#b8c4d6',
};

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const seconds = (from?: string, to?: string): number | undefined =>
  from && to ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000) : undefined;

/** The last runs as a strip of colored cells, oldest left, each titled with its id and status. */
function strip(runs: readonly RunRecord[]): string {
  const cells = [...runs].reverse().map((r, i) => {
    const title = `run ${r.runId} ${r.status} ${r.startedAt}`;
    return `<rect x="${i * 14}" y="0" width="12" height="16" rx="2" fill="${COLORS[r.status] ?? '#ccc'}"><title>${escape(title)}</title></rect>`;
  });
  return `<svg width="${Math.max(14, runs.length * 14)}" height="16" role="img" aria-label="last runs">${cells.join('')}</svg>`;
}

function lastRunStreams(run: RunRecord | undefined, deadLetters: ReadonlyMap<string, number>): string {
  if (run === undefined) return '<p class="muted">no runs yet</p>';
  const rows = run.streams.map((s) => {
    const d = seconds(s.startedAt, s.finishedAt);
    const rate = d && d > 0 ? Math.round(s.counts.rowsWritten / d).toLocaleString('en-US') : '–';
    return `<tr><td>${escape(s.stream)}</td><td>${escape(s.status)}</td><td class="n">${s.counts.rowsWritten.toLocaleString('en-US')}</td><td class="n">${rate}</td><td class="n">${d === undefined ? '–' : d.toFixed(1)}</td><td class="n">${deadLetters.get(s.stream) ?? 0}</td></tr>`;
  });
  return `<table><thead><tr><th>stream (run ${run.runId})</th><th>status</th><th>rows written</th><th>rows/s</th><th>s</th><th>dead letters</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The read-only dashboard at `/`: plain server-rendered HTML with inline SVG, refreshed every 5 s. */
export function renderDashboard(pipelines: readonly DashboardPipeline[], now: Date): string {
  const sections = pipelines.map((p) => {
    const last = p.runs[0];
    return `<section>
<h2>${escape(p.pipeline)}${p.paused ? ' <span class="paused">paused</span>' : ''}</h2>
<p><span class="muted">schedule</span> ${escape(p.schedule)} · <span class="muted">next</span> ${escape(p.nextFire ?? '–')} · <span class="muted">last</span> ${last ? `run ${last.runId} ${escape(last.status)}` : '–'}</p>
<div class="strip">${strip(p.runs)}</div>
${lastRunStreams(last, p.deadLetters)}
${p.cdcLag ? p.cdcLag.streams.map((stream) => renderLagChart(stream, p.cdcLag?.samples ?? [], now)).join('\n') : ''}
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>rapidbyte serve</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330}h1{font-size:20px}h2{font-size:16px;margin:0 0 4px}
section{border:1px solid #dde3ec;border-radius:6px;padding:12px 16px;margin:0 0 16px}
table{border-collapse:collapse;margin-top:8px}td,th{padding:2px 10px;text-align:left;border-bottom:1px solid #eef1f6}.n{text-align:right}
.lag{margin-top:8px;display:flex;align-items:center;gap:8px}.muted{color:#6b7385}.paused{background:#f6e3b4;border-radius:4px;padding:1px 6px;font-size:12px}.strip{margin:6px 0}
</style></head><body>
<h1>rapidbyte serve</h1><p class="muted">${pipelines.length} pipeline(s) · ${escape(now.toISOString())}</p>
${sections.join('\n')}
</body></html>`;
}
