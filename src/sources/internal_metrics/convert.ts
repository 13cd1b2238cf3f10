/**
 * prom-client's getMetricsAsJSON() shape → MetricEvents. Counters → counter, gauges → gauge,
 * histograms → one histogram event per label set (cumulative buckets, as Prometheus counts them,
 * plus sum and count), summaries → a gauge per quantile plus `_sum` / `_count` counters.
 */
import type { InternalMetric } from '../../core/component.js';
import { makeMetricEvent, type HistogramBucket, type MetricEvent } from '../../core/event.js';

export interface ConvertOptions {
  source: string;
  /** Event ids are `${idPrefix}${n}`. */
  idPrefix: string;
  timestamp: number;
  namespace: string | undefined;
}

type Labels = Record<string, string | number>;

function tagsOf(labels: Labels, skip?: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const k in labels) if (k !== skip) tags[k] = String(labels[k]);
  return tags;
}

/** A stable key for one series: name + sorted tags. */
export function seriesKey(name: string, tags: Record<string, string>): string {
  const keys = Object.keys(tags).sort();
  let k = name;
  for (const t of keys) k += `\u0000${t}=${tags[t]}`;
  return k;
}

function bound(le: string | number): number {
  if (typeof le === 'number') return le;
  return le === '+Inf' ? Infinity : Number(le);
}

interface HistogramAcc {
  tags: Record<string, string>;
  buckets: HistogramBucket[];
  sum: number;
  count: number;
}

export function convertMetrics(metrics: readonly InternalMetric[], o: ConvertOptions): MetricEvent[] {
  const out: MetricEvent[] = [];
  const prefix = o.namespace ? `${o.namespace}_` : '';
  const push = (m: Parameters<typeof makeMetricEvent>[2]) => out.push(makeMetricEvent(o.source, o.idPrefix + out.length, m));
  for (const metric of metrics) {
    const name = prefix + metric.name;
    switch (metric.type) {
      case 'counter':
      case 'gauge':
        for (const v of metric.values) {
          push({ name, kind: metric.type, value: v.value, tags: tagsOf(v.labels), timestamp: o.timestamp });
        }
        break;
      case 'histogram': {
        const groups = new Map<string, HistogramAcc>();
        const group = (labels: Labels): HistogramAcc => {
          const tags = tagsOf(labels, 'le');
          const key = seriesKey('', tags);
          let g = groups.get(key);
          if (!g) groups.set(key, (g = { tags, buckets: [], sum: 0, count: 0 }));
          return g;
        };
        for (const v of metric.values) {
          const g = group(v.labels);
          const which = v.metricName ?? '';
          if (which.endsWith('_sum')) g.sum = v.value;
          else if (which.endsWith('_count')) g.count = v.value;
          else if (v.labels.le !== undefined) g.buckets.push({ le: bound(v.labels.le), count: v.value });
        }
        for (const g of groups.values()) {
          g.buckets.sort((a, b) => a.le - b.le);
          push({ name, kind: 'histogram', buckets: g.buckets, sum: g.sum, count: g.count, tags: g.tags, timestamp: o.timestamp });
        }
        break;
      }
      case 'summary':
        for (const v of metric.values) {
          const which = v.metricName ?? '';
          if (which.endsWith('_sum') || which.endsWith('_count')) {
            push({ name: prefix + which, kind: 'counter', value: v.value, tags: tagsOf(v.labels), timestamp: o.timestamp });
          } else {
            push({ name, kind: 'gauge', value: v.value, tags: tagsOf(v.labels), timestamp: o.timestamp });
          }
        }
        break;
      default:
        break; // unknown metric types are skipped
    }
  }
  return out;
}

/**
 * Turns absolute counters and histograms into increments since the previous call (counter_mode
 * incremental). A counter that went down (a reset) reports its new value as the increment.
 */
export class DeltaTracker {
  private prev = new Map<string, { value: number; buckets: number[]; sum: number; count: number }>();

  /** Without a tracker (counter_mode absolute) the events say what they carry: running totals. */
  static markAbsolute(events: MetricEvent[]): void {
    for (const ev of events) if (ev.kind !== 'gauge') ev.absolute = true;
  }

  apply(events: MetricEvent[]): void {
    const next = new Map<string, { value: number; buckets: number[]; sum: number; count: number }>();
    for (const ev of events) {
      if (ev.kind === 'gauge') continue;
      const key = seriesKey(ev.name, ev.tags);
      const p = this.prev.get(key);
      if (ev.kind === 'counter') {
        const cur = ev.value ?? 0;
        next.set(key, { value: cur, buckets: [], sum: 0, count: 0 });
        ev.value = p && cur >= p.value ? cur - p.value : cur;
      } else {
        const cur = { value: 0, buckets: (ev.buckets ?? []).map((b) => b.count), sum: ev.sum ?? 0, count: ev.count ?? 0 };
        next.set(key, cur);
        if (p && cur.count >= p.count && p.buckets.length === cur.buckets.length) {
          ev.buckets = (ev.buckets ?? []).map((b, i) => ({ le: b.le, count: b.count - p.buckets[i]! }));
          ev.sum = cur.sum - p.sum;
          ev.count = cur.count - p.count;
        }
      }
    }
    this.prev = next;
  }
}
