import type { CdcLagSample } from '../state/index.js';

/** The span the chart shows, ending now. */
export const LAG_CHART_WINDOW_MS = 3_600_000;

const WIDTH = 240;
const HEIGHT = 40;
/** Room around the plot, so a point at an edge (the latest sample is at the right one) shows whole. */
const PAD = 3;

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `512 B`, `12.3 KiB`, `1.5 GiB`. */
export function formatLagBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/**
 * One CDC stream's lag over the last hour as a small inline SVG line chart: time left to right
 * (the hour ending `now`), lag bottom to top (0 to the hour's highest sample), with the latest and
 * highest lag written beside it. Samples outside the hour are left out; no sample says so.
 */
export function renderLagChart(stream: string, samples: readonly CdcLagSample[], now: Date): string {
  const end = now.getTime();
  const start = end - LAG_CHART_WINDOW_MS;
  const inWindow = samples
    .filter((s) => s.stream === stream)
    .map((s) => ({ t: Date.parse(s.at), lag: s.lagBytes }))
    .filter((s) => s.t >= start && s.t <= end)
    .sort((a, b) => a.t - b.t);
  const label = `CDC lag of ${stream}, last hour`;
  if (inWindow.length === 0)
    return `<div class="lag"><span class="muted">${escape(stream)}: no CDC lag samples in the last hour</span></div>`;
  const max = Math.max(...inWindow.map((s) => s.lag));
  const x = (t: number): string => (PAD + ((t - start) / LAG_CHART_WINDOW_MS) * (WIDTH - 2 * PAD)).toFixed(1);
  const y = (lag: number): string => (HEIGHT - PAD - (max === 0 ? 0 : (lag / max) * (HEIGHT - 2 * PAD))).toFixed(1);
  const points = inWindow.map((s) => `${x(s.t)},${y(s.lag)}`).join(' ');
  const latest = inWindow[inWindow.length - 1] as { t: number; lag: number };
  const dots = inWindow.length === 1 ? `<circle cx="${x(latest.t)}" cy="${y(latest.lag)}" r="2" fill="#2f7ed8"/>` : '';
  return `<div class="lag"><svg width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escape(label)}"><title>${escape(label)}</title><rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#f5f7fb"/><polyline points="${points}" fill="none" stroke="#2f7ed8" stroke-width="1.5"/>${dots}</svg> <span>${escape(stream)}: lag ${formatLagBytes(latest.lag)} <span class="muted">(max ${formatLagBytes(max)}, ${inWindow.length} ${inWindow.length === 1 ? 'sample' : 'samples'})</span></span></div>`;
}
