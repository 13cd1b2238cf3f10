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

/**
 * A log event whose fields arrived as JSON text (parsed and serialized by a parse worker, see
 * src/sources/file/parse-pool.ts): the text is parsed on this thread only when `fields` is read.
 * Until then `fieldsJson` is exactly JSON.stringify(fields), so encoders splice it in as it is
 * instead of parsing and re-serializing (file → HEC never builds the fields object on the main
 * thread). Reading `fields` drops the text: the caller may change the object from then on.
 * Invariant (checked by the producer): the fields hold no `timestamp`, `event_id` or `parse_error`.
 */
export class LazyLogEvent implements LogEvent {
  readonly type = 'log' as const;
  #json: string | undefined;
  #fields: Fields | undefined;

  constructor(
    public source: string,
    public id: string,
    public timestamp: number,
    fieldsJson: string,
    public raw: string | undefined,
    public size: number,
  ) {
    this.#json = fieldsJson;
  }

  get fields(): Fields {
    if (this.#fields === undefined) {
      this.#fields = JSON.parse(this.#json!) as Fields;
      this.#json = undefined;
    }
    return this.#fields;
  }

  set fields(v: Fields) {
    this.#fields = v;
    this.#json = undefined;
  }

  /** JSON.stringify(fields) while `fields` was never read; undefined after. */
  get fieldsJson(): string | undefined {
    return this.#json;
  }

  /**
   * The plain event shape for JSON.stringify (the disk buffer serializes events so): `fields` is an
   * accessor, which JSON.stringify would otherwise skip. Does not materialize the event.
   */
  toJSON(): Omit<LogEvent, 'fields'> & { fields: Fields } {
    const fields = this.#json === undefined ? this.#fields! : (JSON.parse(this.#json) as Fields);
    return { type: 'log', timestamp: this.timestamp, fields, raw: this.raw, id: this.id, source: this.source, size: this.size };
  }

  /** One top-level field without parsing the rest (nor keeping the result): see peekField. */
  peek(key: string): unknown {
    return this.#json === undefined ? this.#fields![key] : topLevelValue(this.#json, key);
  }
}

/** `ev.fields[key]`, without materializing a lazy event's fields. */
export function peekField(ev: LogEvent, key: string): unknown {
  return ev instanceof LazyLogEvent ? ev.peek(key) : ev.fields[key];
}

/** End (exclusive) of the JSON string starting at `i` (a quote). */
function stringEnd(s: string, i: number): number {
  for (;;) {
    const q = s.indexOf('"', i + 1);
    if (q < 0) return s.length;
    let bs = 0;
    for (let k = q - 1; s.charCodeAt(k) === 92; k--) bs++;
    if ((bs & 1) === 0) return q + 1;
    i = q;
  }
}

/** End (exclusive) of the JSON value starting at `i`. */
function valueEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 34) return stringEnd(s, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === 34) j = stringEnd(s, j) - 1;
      else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        if (--depth === 0) return j + 1;
      }
    }
    return s.length;
  }
  let j = i;
  while (j < s.length && s.charCodeAt(j) !== 44 && s.charCodeAt(j) !== 125) j++;
  return j;
}

// The last key looked up (sinks peek the same one or two keys for every event).
let lastKey = '';
let lastQuoted = '""';
let lastNeedle = '"":';

/**
 * The value of a top-level member of a compact JSON object text (JSON.stringify output: no
 * whitespace), or undefined. Skips strings and nested values without parsing them.
 */
export function topLevelValue(s: string, key: string): unknown {
  // JSON.stringify writes a key exactly as JSON.stringify(key): compare the quoted text in place.
  if (key !== lastKey) {
    lastKey = key;
    lastQuoted = JSON.stringify(key);
    lastNeedle = lastQuoted + ':';
  }
  const quoted = lastQuoted;
  // Fast path: `"key":` can only occur in valid JSON as a member name (a quote right after the
  // name's last character ends a string, and only a member name is followed by a colon). Preceded
  // by `,` or the opening brace, with no `{` or `[` anywhere before it, it is a top-level member.
  const p = s.indexOf(lastNeedle);
  if (p < 0) return undefined;
  const before = s.charCodeAt(p - 1);
  if ((before === 44 || p === 1) && s.lastIndexOf('{', p) <= 0 && s.lastIndexOf('[', p) < 0) return valueAt(s, p + quoted.length + 1);
  let i = 1;
  while (i < s.length && s.charCodeAt(i) === 34) {
    const ke = stringEnd(s, i);
    const vs = ke + 1; // after the colon
    const ve = valueEnd(s, vs);
    if (ke - i === quoted.length && s.startsWith(quoted, i)) return valueAt(s, vs);
    i = ve + 1; // past the comma
  }
  return undefined;
}


/** The JSON value starting at `i`; plain strings are sliced, anything else parsed. */
function valueAt(s: string, i: number): unknown {
  const e = valueEnd(s, i);
  if (s.charCodeAt(i) === 34) {
    const bs = s.indexOf('\\', i);
    if (bs < 0 || bs >= e) return s.slice(i + 1, e - 1);
  }
  return JSON.parse(s.slice(i, e));
}
