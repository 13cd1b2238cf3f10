/**
 * Prometheus text exposition → MetricEvents, with the shapes internal_metrics emits
 * (docs/demo.md#internal_metrics): counters → counter, gauges and untyped → gauge, histograms → one
 * histogram event per label set (cumulative `le` buckets, sum, count), summaries → a gauge per
 * quantile (tag `quantile`) plus `<name>_sum` / `<name>_count` counters.
 *
 * Lines are tokenized by parse-prometheus-text-format (escapes, HELP/TYPE, timestamps). Its grouping
 * of histograms and summaries is NOT used: it folds every label set of a family into one sample
 * (labels lost, and `_sum`/`_count` dropped when they carry labels — version 1.1.1). So the
 * histogram/summary TYPE lines are taken out before parsing, the parser returns their raw samples
 * (`x_bucket{le=…}`, `x_sum`, `x_count`, `x{quantile=…}`) and they are grouped here by label set.
 * The parser is also lenient ("a b c" reads as value "b", timestamp "c"): values, timestamps and
 * names are checked here, and a scrape with a bad line fails as a whole, as in Prometheus.
 */
import parsePrometheusTextFormat, { type PromFamily, type PromSample } from 'parse-prometheus-text-format';
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

export class ExpositionError extends Error {}

const FLOAT = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)$/;
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const COMPOSITE_TYPE = /^#\s+TYPE\s+(\S+)\s+(histogram|summary)\s*$/i;

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

export interface Parsed {
  families: PromFamily[];
  /** Histogram and summary family names (their TYPE lines were taken out). */
  composite: Map<string, 'histogram' | 'summary'>;
}

export function parseExposition(text: string): Parsed {
  const composite = new Map<string, 'histogram' | 'summary'>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.charCodeAt(0) !== 35 /* # */) continue;
    const m = COMPOSITE_TYPE.exec(l);
    if (m) {
      composite.set(m[1]!, m[2]!.toLowerCase() as 'histogram' | 'summary');
      lines[i] = '# (type handled by edgetail)';
    }
  }
  // A trailing newline: the parser drops a last line that has none.
  return { families: parsePrometheusTextFormat(lines.join('\n') + '\n'), composite };
}

interface Group {
  name: string;
  kind: 'histogram' | 'summary';
  tags: Record<string, string>;
  timestamp: number;
  buckets: HistogramBucket[];
  quantiles: Array<[string, number]>;
  sum: number | undefined;
  count: number | undefined;
}

export interface ConvertResult {
  events: MetricEvent[];
  /** Samples left out: non-finite counter/gauge values. */
  skipped: number;
}

type Draft = Parameters<typeof makeMetricEvent>[2];

export function convertExposition(text: string, o: ScrapeConvertOptions): ConvertResult {
  const { families, composite } = parseExposition(text);
  // `# TYPE x counter` followed by samples named x_total: the parser files them as untyped `x_total`.
  const emptyCounters = new Set<string>();
  for (const f of families) if (f.type === 'COUNTER' && f.metrics.length === 0) emptyCounters.add(f.name);
  const out: Array<Draft | Group> = [];
  const groups = new Map<string, Group>();
  let skipped = 0;
  const tsOf = (ts: string | undefined): number => {
    if (ts === undefined) return o.now;
    if (!/^-?\d+$/.test(ts)) throw new ExpositionError(`timestamp ${JSON.stringify(ts.slice(0, 40))} is not an integer`);
    return o.honorTimestamps ? Number(ts) : o.now;
  };
  const tagsOf = (labels: Record<string, string> | undefined, skip?: string): Record<string, string> => {
    const t: Record<string, string> = {};
    for (const k in labels) if (k !== skip) t[k] = labels[k]!;
    if (o.extraTags) Object.assign(t, o.extraTags);
    return t;
  };
  const group = (base: string, kind: 'histogram' | 'summary', s: PromSample, skip: string): Group => {
    const tags = tagsOf(s.labels, skip);
    let key = base;
    for (const k of Object.keys(tags).sort()) key += `\u0000${k}=${tags[k]}`;
    let g = groups.get(key);
    if (!g) {
      g = { name: base, kind, tags, timestamp: tsOf(s.timestamp_ms), buckets: [], quantiles: [], sum: undefined, count: undefined };
      groups.set(key, g);
      out.push(g);
    }
    return g;
  };

  for (const f of families) {
    if (!NAME.test(f.name)) throw new ExpositionError(`invalid metric name ${JSON.stringify(f.name.slice(0, 40))}`);
    const suffix = /_(bucket|sum|count)$/.exec(f.name)?.[1];
    const base = suffix ? f.name.slice(0, -suffix.length - 1) : f.name;
    const ctype = composite.get(f.name) ?? (suffix ? composite.get(base) : undefined);
    if (ctype) {
      const isPart = composite.has(f.name) ? undefined : suffix; // the summary's quantile samples are named `base`
      const gname = isPart ? base : f.name;
      for (const s of f.metrics) {
        const v = promNumber(s.value);
        if (isPart === 'bucket') {
          if (ctype !== 'histogram') throw new ExpositionError(`${f.name}: _bucket samples in a summary`);
          const le = s.labels?.le;
          if (le === undefined) throw new ExpositionError(`${f.name} sample without le`);
          group(gname, ctype, s, 'le').buckets.push({ le: promNumber(le, 'le'), count: v });
        } else if (isPart === 'sum') group(gname, ctype, s, '').sum = v;
        else if (isPart === 'count') group(gname, ctype, s, '').count = v;
        else {
          const q = s.labels?.quantile;
          if (ctype !== 'summary' || q === undefined) throw new ExpositionError(`${f.name}: sample without quantile`);
          group(gname, ctype, s, 'quantile').quantiles.push([q, v]);
        }
      }
      continue;
    }
    const kind = f.type === 'COUNTER' || (f.type === 'UNTYPED' && f.name.endsWith('_total') && emptyCounters.has(f.name.slice(0, -6))) ? 'counter' : 'gauge';
    for (const s of f.metrics) {
      const value = promNumber(s.value);
      const timestamp = tsOf(s.timestamp_ms);
      if (!Number.isFinite(value)) {
        skipped++;
        continue;
      }
      out.push({ name: f.name, kind, value, tags: tagsOf(s.labels), timestamp });
    }
  }

  const events: MetricEvent[] = [];
  const push = (d: Draft) => events.push(makeMetricEvent(o.source, o.idPrefix + events.length, d));
  for (const x of out) {
    if (!('quantiles' in x)) {
      push(x);
      continue;
    }
    if (x.kind === 'histogram') {
      x.buckets.sort((a, b) => a.le - b.le);
      const inf = x.buckets.length > 0 && x.buckets[x.buckets.length - 1]!.le === Infinity ? x.buckets[x.buckets.length - 1]!.count : undefined;
      const count = x.count ?? inf;
      if (x.buckets.length === 0 || count === undefined || x.buckets.some((b) => Number.isNaN(b.le) || !Number.isFinite(b.count))) {
        skipped++;
        continue;
      }
      const d: Draft = { name: x.name, kind: 'histogram', buckets: x.buckets, count, tags: x.tags, timestamp: x.timestamp };
      if (x.sum !== undefined && !Number.isNaN(x.sum)) d.sum = x.sum;
      push(d);
    } else {
      for (const [q, v] of x.quantiles) {
        if (Number.isFinite(v)) push({ name: x.name, kind: 'gauge', value: v, tags: { ...x.tags, quantile: q }, timestamp: x.timestamp });
        else skipped++;
      }
      if (x.sum !== undefined && Number.isFinite(x.sum)) push({ name: `${x.name}_sum`, kind: 'counter', value: x.sum, tags: x.tags, timestamp: x.timestamp });
      if (x.count !== undefined && Number.isFinite(x.count)) push({ name: `${x.name}_count`, kind: 'counter', value: x.count, tags: x.tags, timestamp: x.timestamp });
    }
  }
  return { events, skipped };
}
