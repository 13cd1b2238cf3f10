/**
 * MetricEvents → the SDK's ResourceMetrics (what ProtobufMetricsSerializer / JsonMetricsSerializer
 * take). One OTLP Metric per (name, kind), one data point per event:
 * - gauge → Gauge;
 * - counter → monotonic Sum: cumulative when counter_mode is absolute (value = running total; the
 *   start time is when this sink first saw the series), delta when incremental (value = change;
 *   the start time is the previous point of the series, or the point itself the first time);
 * - histogram → explicit-bucket Histogram. MetricEvent buckets are cumulative (Prometheus `le`
 *   counts); OTLP wants per-bucket counts with the finite bounds, so they are differenced here.
 *
 * Types only from @opentelemetry/*: the enums are re-declared as their numeric values so that this
 * module loads nothing at runtime.
 */
import type { HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { DataPoint, MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { HistogramBucket, MetricEvent } from '../core/event.js';

// Values of @opentelemetry/sdk-metrics' enums (DataPointType, AggregationTemporality) and of the API's ValueType.
const HISTOGRAM = 0;
const GAUGE = 2;
const SUM = 3;
const DELTA = 0;
const CUMULATIVE = 1;
const DOUBLE = 1;

const MAX_TRACKED_SERIES = 100_000;

export function hrTime(ms: number): HrTime {
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1e6)];
}

/** Per-bucket counts and finite bounds from cumulative `le` buckets; undefined if they are not cumulative. */
export function explicitBuckets(buckets: readonly HistogramBucket[], count: number | undefined): { boundaries: number[]; counts: number[]; total: number } | undefined {
  const boundaries: number[] = [];
  const counts: number[] = [];
  let prev = 0;
  for (const b of buckets) {
    if (b.count < prev || !Number.isFinite(b.count)) return undefined;
    if (b.le === Infinity) break;
    boundaries.push(b.le);
    counts.push(b.count - prev);
    prev = b.count;
  }
  const inf = buckets.length > 0 && buckets[buckets.length - 1]!.le === Infinity ? buckets[buckets.length - 1]!.count : (count ?? prev);
  if (inf < prev) return undefined;
  counts.push(inf - prev);
  return { boundaries, counts, total: inf };
}

function seriesKey(name: string, tags: Record<string, string>): string {
  let k = name;
  for (const t of Object.keys(tags).sort()) k += `\u0000${t}=${tags[t]}`;
  return k;
}

export interface MetricsEncoderOptions {
  resource: Resource;
  scope: { name: string; version?: string };
  /** auto: each event's `absolute` flag decides; absolute / incremental: forced for every event. */
  counterMode: 'auto' | 'absolute' | 'incremental';
}

/** Stateful only for start times (cumulative series start; delta series continue). */
export class MetricsEncoder {
  private readonly starts = new Map<string, HrTime>();
  constructor(private readonly o: MetricsEncoderOptions) {}

  /** `onSkipped` is told how many events had no usable value (non-finite, non-cumulative buckets). */
  toResourceMetrics(events: readonly MetricEvent[], onSkipped: (n: number) => void): { metrics: ResourceMetrics; points: number } {
    const byName = new Map<string, { kind: MetricEvent['kind']; cumulative: boolean; points: DataPoint<unknown>[] }>();
    let skipped = 0;
    let points = 0;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      const end = hrTime(ev.timestamp);
      let value: unknown;
      if (ev.kind === 'histogram') {
        const b = explicitBuckets(ev.buckets ?? [], ev.count);
        if (!b || (ev.sum !== undefined && !Number.isFinite(ev.sum))) {
          skipped++;
          continue;
        }
        value = { buckets: { boundaries: b.boundaries, counts: b.counts }, count: ev.count ?? b.total, sum: ev.sum };
      } else {
        if (ev.value === undefined || !Number.isFinite(ev.value)) {
          skipped++;
          continue;
        }
        value = ev.value;
      }
      const cumulative = this.isAbsolute(ev);
      const start = ev.kind === 'gauge' ? end : this.startOf(ev, end, cumulative);
      const key = `${ev.kind}${cumulative ? 'c' : 'd'}\u0000${ev.name}`;
      let m = byName.get(key);
      if (!m) byName.set(key, (m = { kind: ev.kind, cumulative, points: [] }));
      m.points.push({ startTime: start, endTime: end, attributes: ev.tags, value });
      points++;
    }
    if (skipped > 0) onSkipped(skipped);
    const metrics: MetricData[] = [];
    for (const [key, m] of byName) {
      const temporality = m.cumulative ? CUMULATIVE : DELTA;
      const descriptor = { name: key.slice(key.indexOf('\u0000') + 1), description: '', unit: '', valueType: DOUBLE };
      if (m.kind === 'gauge') metrics.push({ descriptor, aggregationTemporality: CUMULATIVE, dataPointType: GAUGE, dataPoints: m.points } as unknown as MetricData);
      else if (m.kind === 'counter') metrics.push({ descriptor, aggregationTemporality: temporality, dataPointType: SUM, dataPoints: m.points, isMonotonic: true } as unknown as MetricData);
      else metrics.push({ descriptor, aggregationTemporality: temporality, dataPointType: HISTOGRAM, dataPoints: m.points } as unknown as MetricData);
    }
    return { metrics: { resource: this.o.resource, scopeMetrics: [{ scope: this.o.scope, metrics }] }, points };
  }

  private isAbsolute(ev: MetricEvent): boolean {
    return this.o.counterMode === 'auto' ? ev.absolute === true : this.o.counterMode === 'absolute';
  }

  private startOf(ev: MetricEvent, end: HrTime, cumulative: boolean): HrTime {
    const key = seriesKey(ev.name, ev.tags);
    const prev = this.starts.get(key);
    // Bounded: past this many series, start times restart (a reset, which OTLP consumers handle).
    if (prev === undefined && this.starts.size >= MAX_TRACKED_SERIES) this.starts.clear();
    if (cumulative) {
      if (prev) return prev;
      this.starts.set(key, end);
      return end;
    }
    this.starts.set(key, end);
    return prev ?? end;
  }
}
