const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `512 B`, `12.3 KiB`, `1.5 GiB` (binary units, one decimal). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${UNITS[i]}`;
}

/** Rows per second from a count and milliseconds, `-` when no time has passed. */
export function formatRate(rows: number, ms: number): string {
  return ms > 0 ? Math.round(rows / (ms / 1000)).toLocaleString('en-US') : '-';
}
