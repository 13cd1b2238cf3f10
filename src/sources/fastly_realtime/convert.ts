/**
 * rt API response entries → MetricEvents. Every numeric rt key of a block becomes a counter
 * `<namespace>_<key>` (the count for that second) tagged `service_id` and `datacenter` (the POP, or
 * `aggregated` for the service-wide block); `miss_histogram` (10 ms buckets) becomes one histogram
 * `<namespace>_miss_duration_ms` with cumulative buckets and, as its sum, miss_time in ms.
 * Timestamps are the entry's `recorded` second. Event ids are stable (service, second, POP, key),
 * so a re-polled second can be recognised downstream.
 */
import { makeMetricEvent, type HistogramBucket, type MetricEvent } from '../../core/event.js';

export interface ConvertOptions {
  source: string;
  serviceId: string;
  namespace: string;
  aggregated: boolean;
  datacenter: boolean;
}

export const AGGREGATED_TAG = 'aggregated';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function histogram(h: Record<string, unknown>): HistogramBucket[] | undefined {
  const pairs: Array<[number, number]> = [];
  for (const k in h) {
    const lo = Number(k), n = h[k];
    if (Number.isFinite(lo) && typeof n === 'number' && Number.isFinite(n) && n > 0) pairs.push([lo, n]);
  }
  if (pairs.length === 0) return undefined;
  pairs.sort((a, b) => a[0] - b[0]);
  const out: HistogramBucket[] = [];
  let cum = 0;
  // Bucket "k" holds misses in [k, k+10) ms; as a cumulative bucket its upper bound is k+10.
  for (const [lo, n] of pairs) out.push({ le: lo + 10, count: (cum += n) });
  out.push({ le: Infinity, count: cum });
  return out;
}

function blockEvents(out: MetricEvent[], o: ConvertOptions, recorded: number, dc: string, stats: Record<string, unknown>): void {
  const ts = recorded * 1000;
  const tags = { service_id: o.serviceId, datacenter: dc };
  const idBase = `${o.source}:${o.serviceId}:${recorded}:${dc}:`;
  for (const key in stats) {
    const v = stats[key];
    if (typeof v === 'number' && Number.isFinite(v)) {
      out.push(makeMetricEvent(o.source, idBase + key, { name: `${o.namespace}_${key}`, kind: 'counter', value: v, tags: { ...tags }, timestamp: ts }));
    } else if (key === 'miss_histogram' && isObject(v)) {
      const buckets = histogram(v);
      if (buckets === undefined) continue;
      const missTime = typeof stats.miss_time === 'number' ? stats.miss_time * 1000 : undefined;
      out.push(
        makeMetricEvent(o.source, idBase + key, {
          name: `${o.namespace}_miss_duration_ms`,
          kind: 'histogram',
          buckets,
          count: buckets[buckets.length - 1]!.count,
          ...(missTime !== undefined ? { sum: missTime } : {}),
          tags: { ...tags },
          timestamp: ts,
        }),
      );
    }
  }
}

/** Converts the `Data` entries of one response; malformed entries are skipped and counted. */
export function entriesToMetrics(data: readonly unknown[], o: ConvertOptions): { events: MetricEvent[]; skipped: number } {
  const out: MetricEvent[] = [];
  let skipped = 0;
  for (const e of data) {
    if (!isObject(e) || typeof e.recorded !== 'number' || !Number.isSafeInteger(e.recorded)) {
      skipped++;
      continue;
    }
    if (o.aggregated && isObject(e.aggregated)) blockEvents(out, o, e.recorded, AGGREGATED_TAG, e.aggregated);
    if (o.datacenter && isObject(e.datacenter)) {
      for (const pop in e.datacenter) {
        const s = e.datacenter[pop];
        if (isObject(s)) blockEvents(out, o, e.recorded, pop, s);
      }
    }
  }
  return { events: out, skipped };
}
