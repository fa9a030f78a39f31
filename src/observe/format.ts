/** Human-readable durations and sizes, shared by the stats table and the progress lines. */

export function formatMs(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(1)}ms`;
}

export function formatBytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = value;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)}${units[u]}`;
}

/** Rows per second over `ms` milliseconds, rounded for display. */
export function formatRate(rows: number, ms: number): string {
  return ms > 0 ? String(Math.round((rows * 1000) / ms)) : '0';
}
