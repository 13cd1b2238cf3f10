/**
 * Prometheus text exposition (parsed by parse-prometheus-text-format) → MetricEvents, with the same
 * shapes internal_metrics emits (docs/demo.md#internal_metrics): counters → counter, gauges and
 * untyped → gauge, histograms → one histogram event per label set (cumulative `le` buckets, sum,
 * count), summaries → a gauge per quantile (tag `quantile`) plus `<name>_sum` / `<name>_count` counters.
 */
import type { PromFamily } from 'parse-prometheus-text-format';
import { makeMetricEvent, type HistogramBucket, type MetricEvent } from '../../core/event.js';

export interface ScrapeConvertOptions {
  source: string;
  idPrefix: string;
  /** Scrape time (epoch ms): the timestamp of samples without their own (or when not honoured). */
  now: number;
  honorTimestamps: boolean;
  /** Tags added to every event (instance / endpoint). */
  extraTags: Record<string, string> | undefined;
}

/** The parser is lenient ("a b c" reads as value "b", timestamp "c"); Prometheus fails such a scrape, and so does this. */
export class ExpositionError extends Error {}

const FLOAT = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)$/;
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Prometheus float text: "+Inf", "-Inf", "NaN" and decimal floats; anything else throws. */
export function promNumber(s: string | undefined, what = 'value'): number {
  if (s === undefined) throw new ExpositionError(`missing ${what}`);
  switch (s.toLowerCase()) {
    case '+inf':
    case 'inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'nan':
      return NaN;
  }
  if (!FLOAT.test(s)) throw new ExpositionError(`${what} ${JSON.stringify(s.slice(0, 40))} is not a number`);
  return Number(s);
}

export interface ConvertResult {
  events: MetricEvent[];
  /** Samples left out: non-finite counter/gauge values, unparsable numbers. */
  skipped: number;
}

export function convertFamilies(families: readonly PromFamily[], o: ScrapeConvertOptions): ConvertResult {
  const events: MetricEvent[] = [];
  let skipped = 0;
  // A `# TYPE x counter` family followed by samples named x_total: the parser (written before
  // OpenMetrics naming) files the samples under an untyped family `x_total`.
  const emptyCounters = new Set<string>();
  for (const f of families) if (f.type === 'COUNTER' && f.metrics.length === 0) emptyCounters.add(f.name);
  const push = (m: Parameters<typeof makeMetricEvent>[2]) => events.push(makeMetricEvent(o.source, o.idPrefix + events.length, m));
  const tagsOf = (labels: Record<string, string> | undefined): Record<string, string> => (o.extraTags ? { ...labels, ...o.extraTags } : { ...labels });
  const tsOf = (ts: string | undefined): number => {
    if (ts === undefined) return o.now;
    if (!/^-?\d+$/.test(ts)) throw new ExpositionError(`timestamp ${JSON.stringify(ts.slice(0, 40))} is not an integer`);
    return o.honorTimestamps ? Number(ts) : o.now;
  };

  for (const f of families) {
    if (!NAME.test(f.name)) throw new ExpositionError(`invalid metric name ${JSON.stringify(f.name.slice(0, 40))}`);
    let type = f.type;
    if (type === 'UNTYPED' && f.name.endsWith('_total') && emptyCounters.has(f.name.slice(0, -6))) type = 'COUNTER';
    for (const s of f.metrics) {
      const timestamp = tsOf(s.timestamp_ms);
      const tags = tagsOf(s.labels);
      switch (type) {
        case 'COUNTER':
        case 'GAUGE':
        case 'UNTYPED': {
          const value = promNumber(s.value);
          if (!Number.isFinite(value)) {
            skipped++;
            break;
          }
          push({ name: f.name, kind: type === 'COUNTER' ? 'counter' : 'gauge', value, tags, timestamp });
          break;
        }
        case 'HISTOGRAM': {
          const buckets: HistogramBucket[] = [];
          for (const le in s.buckets ?? {}) buckets.push({ le: promNumber(le, 'le'), count: promNumber(s.buckets![le], 'bucket count') });
          buckets.sort((a, b) => a.le - b.le);
          const count = promNumber(s.count, 'count');
          const sum = s.sum === undefined ? NaN : promNumber(s.sum, 'sum');
          if (buckets.some((b) => Number.isNaN(b.le) || !Number.isFinite(b.count)) || Number.isNaN(count)) {
            skipped++;
            break;
          }
          push({ name: f.name, kind: 'histogram', buckets, sum: Number.isNaN(sum) ? undefined : sum, count, tags, timestamp } as Parameters<typeof makeMetricEvent>[2]);
          break;
        }
        case 'SUMMARY': {
          for (const q in s.quantiles ?? {}) {
            const value = promNumber(s.quantiles![q]);
            if (Number.isFinite(value)) push({ name: f.name, kind: 'gauge', value, tags: { ...tags, quantile: q }, timestamp });
            else skipped++;
          }
          const sum = s.sum === undefined ? NaN : promNumber(s.sum, 'sum');
          const count = s.count === undefined ? NaN : promNumber(s.count, 'count');
          if (Number.isFinite(sum)) push({ name: `${f.name}_sum`, kind: 'counter', value: sum, tags, timestamp });
          if (Number.isFinite(count)) push({ name: `${f.name}_count`, kind: 'counter', value: count, tags, timestamp });
          break;
        }
        default:
          skipped++;
      }
    }
  }
  return { events, skipped };
}
