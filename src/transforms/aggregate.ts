/**
 * `aggregate` (log → metric): counts, sums, last values and histograms of log events over a
 * processing-time window (`interval_secs`), grouped by fields (`group_by` → tags), emitted as
 * MetricEvents when the window closes (and at shutdown). Counters are per-window increments (the
 * contract the metric sinks read), histograms carry cumulative buckets (Prometheus-style, +Inf last).
 *
 * Log events are consumed; metric events pass through unchanged. The series count is bounded by
 * `max_series`: events of a new group beyond it are folded into one series whose group tags are all
 * `__other__` (logged once per window and shown in /api/topology as `overflowed_events`).
 *
 * Guarantee: aggregates are derived data. The input batches are finalized when they leave this
 * transform, so a crash loses the open window's partial aggregates (at most `interval_secs`); the
 * logs themselves stay at least once wherever else they are routed.
 */
import { inputs, nonEmptyString, posInt, posNumber, z } from '../core/schema.js';
import { compileCondition, type Condition } from '../core/expression.js';
import { makeMetricEvent, type Event, type Fields, type MetricEvent, type MetricKind } from '../core/event.js';
import type { ComponentContext, TransformDef } from '../core/component.js';
import { condition } from './condition.js';

/** Prometheus client defaults: a fair start for latencies in seconds. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const OTHER = '__other__';

const metricSpec = z
  .strictObject({
    name: z.string({ error: 'expected a metric name' }).regex(/^[a-zA-Z_:][a-zA-Z0-9_:.]*$/, { error: 'expected a metric name ([a-zA-Z_:][a-zA-Z0-9_:.]*)' }),
    /** counter: events counted (or `field` summed); gauge: the window's last value of `field`;
     *  histogram: `field` values into `buckets`. */
    kind: z.enum(['counter', 'gauge', 'histogram'], { error: 'expected counter, gauge or histogram' }),
    field: nonEmptyString('a field name').optional(),
    /** Only events matching this condition feed the metric. */
    condition: condition().optional(),
    buckets: z
      .array(z.number({ error: 'expected a number' }), { error: 'expected a list of bucket bounds' })
      .min(1, { error: 'expected at least one bucket bound' })
      .refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]!), { error: 'bucket bounds must increase strictly' })
      .optional(),
    /** Constant tags added to every series of this metric. */
    tags: z.record(z.string(), z.string({ error: 'expected a string' })).default({}),
  })
  .superRefine((m, ctx) => {
    if (m.kind !== 'counter' && m.field === undefined) ctx.addIssue({ code: 'custom', path: ['field'], message: `a ${m.kind} needs a field` });
    if (m.kind !== 'histogram' && m.buckets !== undefined) ctx.addIssue({ code: 'custom', path: ['buckets'], message: 'buckets only apply to histograms' });
  });

export const aggregateSchema = z.strictObject({
  type: z.literal('aggregate'),
  inputs: inputs(),
  interval_secs: posNumber().default(10),
  /** Fields whose values become tags (one series per combination). Missing fields are left out. */
  group_by: z.array(nonEmptyString('a field name'), { error: 'expected a list of field names' }).default([]),
  max_series: posInt().default(10_000),
  metrics: z.array(metricSpec, { error: 'expected a list of metrics' }).min(1, { error: 'expected at least one metric' }),
});

export type AggregateConfig = z.output<typeof aggregateSchema>;
type MetricSpec = AggregateConfig['metrics'][number];

interface Series {
  metric: number;
  tags: Record<string, string>;
  /** counter: sum; gauge: last value. */
  value: number;
  /** histogram: per-bucket (not yet cumulative) counts, +Inf last. */
  counts: number[] | undefined;
  sum: number;
  count: number;
}

interface CompiledMetric {
  spec: MetricSpec;
  kind: MetricKind;
  cond: Condition | undefined;
  buckets: number[];
}

function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

/** The aggregation state of one window; `flush()` turns it into metric events and starts the next. */
export class Aggregator {
  private readonly metrics: CompiledMetric[];
  private series = new Map<string, Series>();
  private window = 0;
  /** Events folded into `__other__` series (over max_series) since the last take. */
  overflowed = 0;
  /** Values that were not numbers (skipped) since the last take. */
  nonNumeric = 0;

  constructor(
    private readonly config: AggregateConfig,
    private readonly id: string,
  ) {
    this.metrics = config.metrics.map((spec) => ({
      spec,
      kind: spec.kind,
      cond: spec.condition === undefined ? undefined : compileCondition(spec.condition),
      buckets: spec.kind === 'histogram' ? (spec.buckets ?? DEFAULT_BUCKETS) : [],
    }));
  }

  get seriesCount(): number {
    return this.series.size;
  }

  add(fields: Fields): void {
    const groupBy = this.config.group_by;
    let groupKey = '';
    for (let g = 0; g < groupBy.length; g++) {
      const v = fields[groupBy[g]!];
      groupKey += (v === undefined || v === null ? '\u0001' : String(v)) + '\u0000';
    }
    for (let m = 0; m < this.metrics.length; m++) {
      const cm = this.metrics[m]!;
      if (cm.cond !== undefined && !cm.cond(fields)) continue;
      let value = 1;
      if (cm.spec.field !== undefined) {
        const n = numeric(fields[cm.spec.field]);
        if (n === undefined) {
          this.nonNumeric++;
          continue;
        }
        value = n;
      }
      const s = this.seriesFor(m, groupKey, fields);
      if (cm.kind === 'counter') s.value += value;
      else if (cm.kind === 'gauge') s.value = value;
      else {
        let b = 0;
        while (b < cm.buckets.length && value > cm.buckets[b]!) b++;
        s.counts![b]!++;
        s.sum += value;
      }
      s.count++;
    }
  }

  private seriesFor(metric: number, groupKey: string, fields: Fields): Series {
    const key = `${metric}\u0002${groupKey}`;
    let s = this.series.get(key);
    if (s !== undefined) return s;
    const cm = this.metrics[metric]!;
    let tags: Record<string, string>;
    let k = key;
    if (this.series.size >= this.config.max_series) {
      this.overflowed++;
      k = `${metric}\u0002${OTHER}`;
      s = this.series.get(k);
      if (s !== undefined) return s;
      tags = { ...cm.spec.tags };
      for (const g of this.config.group_by) tags[g] = OTHER;
    } else {
      tags = { ...cm.spec.tags };
      for (const g of this.config.group_by) {
        const v = fields[g];
        if (v !== undefined && v !== null) tags[g] = String(v);
      }
    }
    s = { metric, tags, value: 0, counts: cm.kind === 'histogram' ? new Array<number>(cm.buckets.length + 1).fill(0) : undefined, sum: 0, count: 0 };
    this.series.set(k, s);
    return s;
  }

  /** Closes the window: one metric event per series, stamped `now`. */
  flush(now: number): MetricEvent[] {
    if (this.series.size === 0) return [];
    const out: MetricEvent[] = [];
    const w = this.window++;
    let i = 0;
    for (const s of this.series.values()) {
      const cm = this.metrics[s.metric]!;
      const id = `${this.id}:${now}:${w}:${i++}`;
      if (cm.kind === 'histogram') {
        let cum = 0;
        const buckets = s.counts!.map((c, b) => ({ le: b < cm.buckets.length ? cm.buckets[b]! : Infinity, count: (cum += c) }));
        out.push(makeMetricEvent(this.id, id, { name: cm.spec.name, kind: 'histogram', buckets, sum: s.sum, count: s.count, tags: s.tags, timestamp: now }));
      } else {
        out.push(makeMetricEvent(this.id, id, { name: cm.spec.name, kind: cm.kind, value: s.value, tags: s.tags, timestamp: now }));
      }
    }
    this.series = new Map();
    return out;
  }
}

export const aggregate: TransformDef<AggregateConfig> = {
  kind: 'transform',
  type: 'aggregate',
  schema: aggregateSchema,
  build(config, ctx: ComponentContext) {
    const agg = new Aggregator(config, ctx.id);
    let timer: NodeJS.Timeout | undefined;
    let emitted = 0;
    let overflowed = 0;
    let nonNumeric = 0;
    const take = (): MetricEvent[] => {
      if (agg.overflowed > 0) ctx.logger.warn({ events: agg.overflowed, max_series: config.max_series }, 'aggregate: too many series; folded into __other__');
      if (agg.nonNumeric > 0) ctx.metrics.error('non_numeric_value', 'processing');
      overflowed += agg.overflowed;
      nonNumeric += agg.nonNumeric;
      agg.overflowed = 0;
      agg.nonNumeric = 0;
      const out = agg.flush(Date.now());
      emitted += out.length;
      ctx.metrics.sent(out.length, 0);
      return out;
    };
    return {
      process(events: Event[]): Event[] {
        const out: Event[] = [];
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          if (ev.type === 'log') agg.add(ev.fields);
          else out.push(ev);
        }
        return out;
      },
      start(emit) {
        timer = setInterval(() => {
          const out = take();
          if (out.length > 0) emit(out);
        }, config.interval_secs * 1000);
        timer.unref();
      },
      stop() {
        if (timer) clearInterval(timer);
        timer = undefined;
        return take();
      },
      describe: () => ({ interval_secs: config.interval_secs, open_series: agg.seriesCount, emitted, overflowed_events: overflowed, non_numeric_values: nonNumeric }),
    };
  },
};
