/**
 * MetricEvents → Datadog v2 series (PROTOCOLS.md "Datadog"): one series with one point per event.
 *
 * - counter → type 1 count with the increment, or type 2 rate (increment / interval_secs) with
 *   `counter_type: rate`. Events flagged `absolute` (running totals: internal_metrics,
 *   prometheus_scrape) are turned into increments against the series' previous total (the first
 *   total of a series is its baseline and sends nothing; a total that went down is a reset and
 *   counts in full), as Datadog counts are per-interval.
 * - gauge → type 3 gauge.
 * - histogram → `<name>.count` and `<name>.sum` as counts (type 1) and, when count > 0,
 *   `<name>.avg` as a gauge; buckets are not sent (Datadog distributions need the sketches API).
 * - Non-finite values (NaN, ±Infinity) have no JSON number: that series is skipped and counted.
 * - Timestamps in whole seconds (floor of the event's epoch ms). Tags `k:v` from the event's tags
 *   plus the configured ones; the `host_tag` tag becomes `resources: [{name, type: host}]`.
 */
import type { MetricEvent, Event } from '../../src/core/event.js';

export const COUNT = 1;
export const RATE = 2;
export const GAUGE = 3;

export interface Series {
  metric: string;
  type: 1 | 2 | 3;
  points: Array<{ timestamp: number; value: number }>;
  tags?: string[];
  resources?: Array<{ name: string; type: string }>;
  interval?: number;
}

export interface SeriesOptions {
  namespace: string | undefined;
  tags: readonly string[];
  hostTag: string;
  counterType: 'count' | 'rate';
  interval: number | undefined;
}

/** Compressed-size limit is 500 KB: uncompressed parts are kept well below what gzip brings there. */
export const MAX_SERIES_PER_PAYLOAD = 10_000;
export const MAX_PAYLOAD_BYTES_COMPRESSED = 2_000_000;
export const MAX_PAYLOAD_BYTES_PLAIN = 500_000;

/** Running totals → increments, per series (name + tags); bounded: past MAX_SERIES the memory restarts. */
export class AbsoluteDeltas {
  static readonly MAX_SERIES = 100_000;
  private readonly last = new Map<string, number>();

  /** The increment since the series' previous total; undefined for its first total. */
  delta(key: string, total: number): number | undefined {
    const prev = this.last.get(key);
    if (prev === undefined && this.last.size >= AbsoluteDeltas.MAX_SERIES) this.last.clear();
    this.last.set(key, total);
    if (prev === undefined) return undefined;
    return total >= prev ? total - prev : total;
  }
}

function seriesKey(name: string, tags: Record<string, string>): string {
  let k = name;
  for (const t of Object.keys(tags).sort()) k += `\u0000${t}=${tags[t]}`;
  return k;
}

function series(name: string, type: 1 | 2 | 3, value: number, ts: number, tags: string[], host: string | undefined, interval: number | undefined): Series {
  const s: Series = { metric: name, type, points: [{ timestamp: ts, value }] };
  if (tags.length > 0) s.tags = tags;
  if (host !== undefined) s.resources = [{ name: host, type: 'host' }];
  if (interval !== undefined) s.interval = interval;
  return s;
}

/** The series of a batch; `onSkipped` is told how many values were not finite (or metrics had none). */
export function toSeries(events: readonly Event[], o: SeriesOptions, onSkipped: (n: number) => void, deltas: AbsoluteDeltas = new AbsoluteDeltas()): Series[] {
  const out: Series[] = [];
  let skipped = 0;
  const prefix = o.namespace ? o.namespace + '.' : '';
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    if (ev.type !== 'metric') continue;
    const m: MetricEvent = ev;
    const tags: string[] = [];
    let host: string | undefined;
    for (const k in m.tags) {
      const v = m.tags[k]!;
      if (k === o.hostTag) host = v;
      else tags.push(`${k}:${v}`);
    }
    for (const t of o.tags) tags.push(t);
    const ts = Math.floor(m.timestamp / 1000);
    const name = prefix + m.name;
    const push = (n: string, type: 1 | 2 | 3, v: number | undefined): void => {
      if (v === undefined || !Number.isFinite(v)) skipped++;
      else out.push(series(n, type, v, ts, tags, host, o.interval));
    };
    if (m.kind === 'gauge') {
      push(name, GAUGE, m.value);
      continue;
    }
    // Running totals become increments; a series' first total is only its baseline.
    const key = m.absolute === true ? seriesKey(m.name, m.tags) : '';
    const inc = (part: string, v: number | undefined): number | undefined | null => {
      if (key === '' || v === undefined || !Number.isFinite(v)) return v;
      const d = deltas.delta(key + part, v);
      return d === undefined ? null : d;
    };
    if (m.kind === 'counter') {
      const v = inc('', m.value);
      if (v === null) continue;
      if (o.counterType === 'rate' && v !== undefined) push(name, RATE, v / o.interval!);
      else push(name, COUNT, v);
    } else {
      const count = inc('\u0001count', m.count);
      const sum = inc('\u0001sum', m.sum);
      if (count === null || sum === null) continue;
      push(name + '.count', COUNT, count);
      push(name + '.sum', COUNT, sum);
      if (count !== undefined && count > 0 && sum !== undefined) push(name + '.avg', GAUGE, sum / count);
    }
  }
  if (skipped > 0) onSkipped(skipped);
  return out;
}

export function seriesBytes(s: Series): number {
  return Buffer.byteLength(JSON.stringify(s)) + 1;
}
