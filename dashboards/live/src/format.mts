/** Number formatting for tiles, axes and tables (compact, fixed precision so columns align). */

export function fmtCount(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return (n / 1e9).toFixed(a >= 1e10 ? 1 : 2) + 'G';
  if (a >= 1e6) return (n / 1e6).toFixed(a >= 1e7 ? 1 : 2) + 'M';
  if (a >= 1e4) return (n / 1e3).toFixed(a >= 1e5 ? 0 : 1) + 'k';
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  return n.toFixed(a === 0 || Number.isInteger(n) ? 0 : 2);
}

/** Bits per second with SI units. */
export function fmtBits(bitsPerSec: number): { value: string; unit: string } {
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let v = bitsPerSec;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return { value: v >= 100 ? v.toFixed(0) : v.toFixed(1), unit: units[i]! };
}

export function fmtPct(ratio: number | null, digits = 1): string {
  return ratio === null || !Number.isFinite(ratio) ? '–' : (ratio * 100).toFixed(digits);
}

export function fmtClock(unixSecs: number): string {
  return new Date(unixSecs * 1000).toISOString().slice(11, 19);
}

export function fmtLag(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 10_000 ? (ms / 1000).toFixed(1) + ' s' : Math.round(ms / 1000) + ' s';
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
