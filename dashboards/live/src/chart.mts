/**
 * A small canvas time-series chart (lines or stacked areas) with a y grid and a UTC time axis.
 * uPlot would be the library of choice, but it is not a dependency of the project and packages cannot
 * be added here; the panels need only this much, so it is drawn by hand (~150 lines, no allocation
 * per frame beyond the path). HiDPI aware; redraws at the container's size.
 */
import { fmtClock } from './format.mjs';

export interface Series {
  name: string;
  color: string;
  values: (number | null)[];
}

export interface ChartOptions {
  stacked?: boolean;
  /** Fixed y maximum (e.g. 100 for percentages); else the data's maximum, rounded up. */
  yMax?: number;
  yFormat: (v: number) => string;
  /** Fill under single lines. */
  fill?: boolean;
}

const AXIS = '#8b98a9';
const GRID = 'rgba(139,152,169,0.14)';
const FONT = '11px "Inter", "Segoe UI", system-ui, sans-serif';

export class TimeChart {
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;

  constructor(private readonly host: HTMLElement, private readonly opts: ChartOptions) {
    this.canvas = document.createElement('canvas');
    host.appendChild(this.canvas);
    this.ctx = this.canvas.getContext('2d')!;
  }

  draw(times: number[], series: Series[]): void {
    const dpr = window.devicePixelRatio || 1;
    const w = this.host.clientWidth;
    const h = this.host.clientHeight;
    if (w === 0 || h === 0) return;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
      this.canvas.style.width = w + 'px';
      this.canvas.style.height = h + 'px';
    }
    const c = this.ctx;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.clearRect(0, 0, w, h);
    c.font = FONT;
    const n = times.length;
    const stacks = this.opts.stacked ? stackValues(series, n) : series.map((s) => s.values);
    let max = this.opts.yMax ?? 0;
    if (this.opts.yMax === undefined) for (const vs of stacks) for (const v of vs) if (v !== null && v > max) max = v;
    max = this.opts.yMax ?? niceCeil(max || 1);

    const left = Math.max(...[0, 0.5, 1].map((f) => c.measureText(this.opts.yFormat(max * f)).width)) + 10;
    const top = 6, right = 8, bottom = 18;
    const pw = w - left - right, ph = h - top - bottom;
    const x = (i: number): number => left + (n <= 1 ? pw : (i / (n - 1)) * pw);
    const y = (v: number): number => top + ph - (Math.min(v, max) / max) * ph;

    // Grid and y labels.
    c.textAlign = 'right';
    c.textBaseline = 'middle';
    for (let g = 0; g <= 4; g++) {
      const v = (max * g) / 4;
      const yy = Math.round(y(v)) + 0.5;
      c.strokeStyle = GRID;
      c.beginPath();
      c.moveTo(left, yy);
      c.lineTo(left + pw, yy);
      c.stroke();
      c.fillStyle = AXIS;
      c.fillText(this.opts.yFormat(v), left - 6, yy);
    }
    // Time labels: every minute boundary (or every 15 s on short ranges).
    c.textAlign = 'center';
    c.textBaseline = 'top';
    const step = n > 120 ? 60 : n > 40 ? 15 : 5;
    let lastRight = -Infinity;
    for (let i = 0; i < n; i++) {
      if (times[i]! % step !== 0) continue;
      const label = fmtClock(times[i]!).slice(step >= 60 ? 0 : 0, step >= 60 ? 5 : 8);
      const xx = x(i);
      const tw = c.measureText(label).width;
      if (xx - tw / 2 < lastRight + 8 || xx + tw / 2 > w) continue;
      c.fillStyle = AXIS;
      c.fillText(label, xx, top + ph + 4);
      lastRight = xx + tw / 2;
    }
    if (n === 0) return;

    // Series: stacked areas are drawn top-down so lower layers stay visible.
    for (let si = series.length - 1; si >= 0; si--) {
      const vs = stacks[si]!;
      const below = this.opts.stacked && si > 0 ? stacks[si - 1]! : null;
      const color = series[si]!.color;
      if (this.opts.stacked || this.opts.fill) {
        c.beginPath();
        let started = false;
        for (let i = 0; i < n; i++) {
          const v = vs[i];
          if (v === null || v === undefined) continue;
          if (!started) c.moveTo(x(i), y(v));
          else c.lineTo(x(i), y(v));
          started = true;
        }
        for (let i = n - 1; i >= 0; i--) if (vs[i] !== null && vs[i] !== undefined) c.lineTo(x(i), y(below ? below[i] ?? 0 : 0));
        c.closePath();
        c.fillStyle = withAlpha(color, this.opts.stacked ? 0.55 : 0.16);
        c.fill();
      }
      c.beginPath();
      let pen = false;
      for (let i = 0; i < n; i++) {
        const v = vs[i];
        if (v === null || v === undefined) {
          pen = false;
          continue;
        }
        if (pen) c.lineTo(x(i), y(v));
        else c.moveTo(x(i), y(v));
        pen = true;
      }
      c.strokeStyle = color;
      c.lineWidth = 1.5;
      c.lineJoin = 'round';
      c.stroke();
    }
  }
}

function stackValues(series: Series[], n: number): (number | null)[][] {
  const out: (number | null)[][] = [];
  const acc = new Array<number>(n).fill(0);
  for (const s of series) {
    const row: (number | null)[] = [];
    for (let i = 0; i < n; i++) {
      const v = s.values[i];
      if (v === null || v === undefined) row.push(null);
      else row.push((acc[i] = acc[i]! + v));
    }
    out.push(row);
  }
  return out;
}

/** 1, 2, 2.5, 5 × 10^k at or above v. */
function niceCeil(v: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function withAlpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

/** An inline SVG sparkline for a table cell. */
export function sparkline(values: number[], width = 64, height = 16, color = '#f0a35e'): string {
  if (values.length < 2) return `<svg class="spark" width="${width}" height="${height}"></svg>`;
  const max = Math.max(...values, 1);
  const pts = values.map((v, i) => `${((i / (values.length - 1)) * (width - 2) + 1).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`);
  return `<svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><polyline fill="none" stroke="${color}" stroke-width="1.25" points="${pts.join(' ')}"/></svg>`;
}
