/**
 * The exporter's state: the latest value of every series, grouped into families that prom-client's
 * Registry formats (each family implements the `get()` a prom-client metric has). Series expire
 * after `expire_secs` without an update, and their number is bounded by `max_series`.
 *
 * Why not prom-client's Counter/Gauge/Histogram classes: they fix label names at creation and a
 * Histogram only takes observations, while MetricEvents arrive with their own label sets and
 * already-bucketed histograms. prom-client still does the exposition (escaping, TYPE/HELP lines).
 */
import type { HistogramBucket, MetricEvent, MetricKind } from '../../src/core/event.js';

export interface SeriesOptions {
  expireMs: number;
  maxSeries: number;
  counterMode: 'auto' | 'absolute' | 'incremental';
  namespace: string | undefined;
  now: () => number;
}

interface Series {
  labels: Record<string, string>;
  value: number;
  buckets: HistogramBucket[] | undefined;
  sum: number;
  count: number;
  lastSeen: number;
}

type PromValue = { labels: Record<string, string>; value: number; metricName?: string };

/** One metric name: what prom-client's Registry needs from a metric. */
export class Family {
  readonly help: string;
  readonly aggregator = 'sum' as const;
  readonly series = new Map<string, Series>();
  constructor(
    readonly name: string,
    readonly kind: MetricKind,
  ) {
    this.help = `${name} (from edgetail MetricEvents)`;
  }
  get type(): string {
    return this.kind;
  }
  get(): { name: string; help: string; type: string; aggregator: 'sum'; values: PromValue[] } {
    const values: PromValue[] = [];
    for (const s of this.series.values()) {
      if (this.kind !== 'histogram') {
        values.push({ labels: s.labels, value: s.value });
        continue;
      }
      let sawInf = false;
      for (const b of s.buckets ?? []) {
        if (b.le === Infinity) sawInf = true;
        values.push({ labels: { ...s.labels, le: formatLe(b.le) }, value: b.count, metricName: `${this.name}_bucket` });
      }
      if (!sawInf) values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.kind, aggregator: 'sum', values };
  }
}

function formatLe(le: number): string {
  return le === Infinity ? '+Inf' : String(le);
}

/** Prometheus names: [a-zA-Z_:][a-zA-Z0-9_:]*; labels: [a-zA-Z_][a-zA-Z0-9_]* (others become _). */
export function metricName(s: string): string {
  const r = s.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(r) ? `_${r}` : r;
}

export function labelName(s: string): string {
  const r = s.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(r) || r.startsWith('__') ? `_${r.replace(/^_+/, '')}` : r;
}

function key(labels: Record<string, string>): string {
  let k = '';
  for (const n of Object.keys(labels).sort()) k += `${n}\u0000${labels[n]}\u0001`;
  return k;
}

export interface ApplyResult {
  /** Kind differs from the family's first kind. */
  conflicts: number;
  /** New series refused by max_series. */
  overLimit: number;
  /** Non-finite values. */
  invalid: number;
}

export class SeriesStore {
  readonly families = new Map<string, Family>();
  private total = 0;
  /** Called when a family is created / emptied, to (un)register it with the Registry. */
  onFamily: ((f: Family, added: boolean) => void) | undefined;

  constructor(private readonly o: SeriesOptions) {}

  get size(): number {
    return this.total;
  }

  apply(events: readonly MetricEvent[]): ApplyResult {
    const r: ApplyResult = { conflicts: 0, overLimit: 0, invalid: 0 };
    const now = this.o.now();
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      const name = metricName(this.o.namespace ? `${this.o.namespace}_${ev.name}` : ev.name);
      if (ev.kind === 'histogram' ? !(ev.buckets && ev.buckets.length > 0) : !Number.isFinite(ev.value)) {
        r.invalid++;
        continue;
      }
      let fam = this.families.get(name);
      if (fam && fam.kind !== ev.kind) {
        r.conflicts++;
        continue;
      }
      const labels: Record<string, string> = {};
      for (const t in ev.tags) labels[labelName(t)] = ev.tags[t]!;
      const k = key(labels);
      let s = fam?.series.get(k);
      if (!s) {
        if (this.total >= this.o.maxSeries) {
          this.expire(now);
          if (this.total >= this.o.maxSeries) {
            r.overLimit++;
            continue;
          }
        }
        if (!fam) {
          fam = new Family(name, ev.kind);
          this.families.set(name, fam);
          this.onFamily?.(fam, true);
        }
        s = { labels, value: 0, buckets: undefined, sum: 0, count: 0, lastSeen: now };
        fam.series.set(k, s);
        this.total++;
      }
      s.lastSeen = now;
      if (ev.kind === 'gauge') s.value = ev.value!;
      else if (ev.kind === 'counter') s.value = this.absolute(ev) ? ev.value! : s.value + ev.value!;
      else this.histogram(s, ev);
    }
    return r;
  }

  private absolute(ev: MetricEvent): boolean {
    return this.o.counterMode === 'auto' ? ev.absolute === true : this.o.counterMode === 'absolute';
  }

  private histogram(s: Series, ev: MetricEvent): void {
    const buckets = [...ev.buckets!].sort((a, b) => a.le - b.le);
    const count = ev.count ?? buckets[buckets.length - 1]!.count;
    if (!this.absolute(ev) && s.buckets && sameBounds(s.buckets, buckets)) {
      s.buckets = s.buckets.map((b, i) => ({ le: b.le, count: b.count + buckets[i]!.count }));
      s.sum += ev.sum ?? 0;
      s.count += count;
    } else {
      s.buckets = buckets;
      s.sum = ev.sum ?? 0;
      s.count = count;
    }
  }

  /** Drops series not updated within expire_secs; returns how many. */
  expire(now = this.o.now()): number {
    const cutoff = now - this.o.expireMs;
    let n = 0;
    for (const [name, fam] of this.families) {
      for (const [k, s] of fam.series) {
        if (s.lastSeen < cutoff) {
          fam.series.delete(k);
          n++;
        }
      }
      if (fam.series.size === 0) {
        this.families.delete(name);
        this.onFamily?.(fam, false);
      }
    }
    this.total -= n;
    return n;
  }
}

function sameBounds(a: readonly HistogramBucket[], b: readonly HistogramBucket[]): boolean {
  return a.length === b.length && a.every((x, i) => x.le === b[i]!.le);
}
