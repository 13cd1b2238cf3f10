/**
 * The event model. Events move through the graph in arrays (batches), never one by one.
 * Objects keep one shape (all keys assigned at creation) so V8 keeps them monomorphic.
 */

/** Flat canonical fields (DESIGN.md "Canonical edge-request fields"); absent fields are omitted. */
export type Fields = Record<string, unknown>;

export interface LogEvent {
  readonly type: 'log';
  /** Request start time, epoch milliseconds. */
  timestamp: number;
  fields: Fields;
  /** The original line; always kept for lines that did not parse, and for raw passthrough. */
  raw: string | undefined;
  /** Stable identity: source identity + offset, so duplicates can be counted downstream. */
  id: string;
  /** Id of the source component that produced it. */
  source: string;
  /** Approximate size in bytes (the raw line's length): used for buffer and batch limits. */
  size: number;
}

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface HistogramBucket {
  /** Upper bound (inclusive); Infinity for the last bucket. */
  le: number;
  count: number;
}

export interface MetricEvent {
  readonly type: 'metric';
  name: string;
  kind: MetricKind;
  /** Counter increment or gauge value; absent for histograms. */
  value: number | undefined;
  buckets: HistogramBucket[] | undefined;
  sum: number | undefined;
  count: number | undefined;
  tags: Record<string, string>;
  /**
   * Counters and histograms: true when value / buckets / sum / count are running totals (as a
   * Prometheus endpoint or edgetail's own registry report them); absent or false when they are the
   * change since the series' previous event (what `aggregate` and `fastly_realtime` emit). Metric
   * sinks read it: Prometheus sets or adds, OTLP picks cumulative or delta temporality, Datadog
   * counts convert running totals to increments. Gauges ignore it.
   */
  absolute?: boolean;
  /** Epoch milliseconds. */
  timestamp: number;
  id: string;
  source: string;
  size: number;
}

export type Event = LogEvent | MetricEvent;

export function makeLogEvent(
  source: string,
  id: string,
  timestamp: number,
  fields: Fields,
  raw: string | undefined,
  size: number,
): LogEvent {
  return { type: 'log', timestamp, fields, raw, id, source, size };
}

export function makeMetricEvent(
  source: string,
  id: string,
  m: {
    name: string;
    kind: MetricKind;
    value?: number;
    buckets?: HistogramBucket[];
    sum?: number;
    count?: number;
    tags?: Record<string, string>;
    timestamp: number;
    absolute?: boolean;
  },
): MetricEvent {
  const ev: MetricEvent = {
    type: 'metric',
    name: m.name,
    kind: m.kind,
    value: m.value,
    buckets: m.buckets,
    sum: m.sum,
    count: m.count,
    tags: m.tags ?? {},
    timestamp: m.timestamp,
    id,
    source,
    size: 64 + m.name.length,
  };
  if (m.absolute === true) ev.absolute = true;
  return ev;
}

/** A shallow copy whose fields object may be mutated without touching the original. */
export function cloneEvent<E extends Event>(ev: E): E {
  if (ev.type === 'log') return { ...ev, fields: { ...ev.fields } } as E;
  return { ...ev, tags: { ...ev.tags } } as E;
}

export function isLog(ev: Event): ev is LogEvent {
  return ev.type === 'log';
}
