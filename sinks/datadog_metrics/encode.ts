/**
 * MetricEvents → Datadog v2 series (PROTOCOLS.md "Datadog"): one series with one point per event.
 *
 * - counter → type 1 count with the event's value (MetricEvent documents it as the increment; a
 *   source emitting absolute running totals, like internal_metrics, produces ever-growing counts:
 *   put an `aggregate` in front or accept it), or type 2 rate (value / interval_secs) with
 *   `counter_type: rate`.
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

function series(name: string, type: 1 | 2 | 3, value: number, ts: number, tags: string[], host: string | undefined, interval: number | undefined): Series {
  const s: Series = { metric: name, type, points: [{ timestamp: ts, value }] };
  if (tags.length > 0) s.tags = tags;
  if (host !== undefined) s.resources = [{ name: host, type: 'host' }];
  if (interval !== undefined) s.interval = interval;
  return s;
}

/** The series of a batch; `onSkipped` is told how many values were not finite (or metrics had none). */
export function toSeries(events: readonly Event[], o: SeriesOptions, onSkipped: (n: number) => void): Series[] {
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
    if (m.kind === 'gauge') push(name, GAUGE, m.value);
    else if (m.kind === 'counter') {
      if (o.counterType === 'rate' && m.value !== undefined) push(name, RATE, m.value / o.interval!);
      else push(name, COUNT, m.value);
    } else {
      push(name + '.count', COUNT, m.count);
      push(name + '.sum', COUNT, m.sum);
      if (m.count !== undefined && m.count > 0 && m.sum !== undefined) push(name + '.avg', GAUGE, m.sum / m.count);
    }
  }
  if (skipped > 0) onSkipped(skipped);
  return out;
}

export function seriesBytes(s: Series): number {
  return Buffer.byteLength(JSON.stringify(s)) + 1;
}
