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
 * A log event whose fields arrived as JSON text: the members of the fields object (the text between
 * its braces, `""` for no field), parsed on this thread only when `fields` is read. Until then
 * encoders splice the text in as it is instead of parsing and re-serializing (file → HEC never
 * builds a fields object that outlives the parse). The text is a JSON text whose JSON.parse equals
 * the fields — for a canonical line it is the line itself, sliced (src/formats/fastly_json.ts
 * parseText), so it may keep the line's own spacing and number spelling. Reading `fields` drops the
 * text: the caller may change the object from then on.
 * Invariant (checked by the producer): the fields hold no `timestamp`, `event_id` or `parse_error`.
 */
export class LazyLogEvent implements LogEvent {
  readonly type = 'log' as const;
  #members: string | undefined;
  #fields: Fields | undefined;
  #peekKeys: readonly string[] | undefined;
  #peekValues: readonly unknown[] | undefined;
  /** When the members are `raw.slice(#spanStart, #spanEnd) + #spanSuffix` (see setSpan); -1 otherwise. */
  #spanStart = -1;
  #spanEnd = -1;
  #spanSuffix = '';

  /**
   * `peekKeys` / `peekValues`: fields captured at parse time for the sinks that will peek them
   * (HEC's `host_key` and `indexed_fields`, Datadog's `hostname_field`; the topology collects them,
   * SourceContext.peekKeys): `peekValues[i]` is the value of `peekKeys[i]` (undefined if absent).
   */
  constructor(
    public source: string,
    public id: string,
    public timestamp: number,
    members: string,
    public raw: string | undefined,
    public size: number,
    peekKeys?: readonly string[],
    peekValues?: readonly unknown[],
  ) {
    this.#members = members;
    this.#peekKeys = peekKeys;
    this.#peekValues = peekValues;
  }

  /** A lazy event from the JSON text of a whole fields object (compact `{…}`, as JSON.stringify writes). */
  static fromJson(source: string, id: string, timestamp: number, fieldsJson: string, raw: string | undefined, size: number, peekKeys?: readonly string[], peekValues?: readonly unknown[]): LazyLogEvent {
    return new LazyLogEvent(source, id, timestamp, fieldsJson.slice(1, -1), raw, size, peekKeys, peekValues);
  }

  /**
   * Records that the members are `raw.slice(start, end) + suffix` (a canonical line: the parser
   * knows), so a disk buffer can store the line once instead of the line and the members.
   */
  setSpan(start: number, end: number, suffix: string): this {
    this.#spanStart = start;
    this.#spanEnd = end;
    this.#spanSuffix = suffix;
    return this;
  }

  /** The span set by setSpan while the text is still the fields (undefined otherwise). */
  get membersSpan(): { start: number; end: number; suffix: string } | undefined {
    return this.#spanStart < 0 || this.#members === undefined ? undefined : { start: this.#spanStart, end: this.#spanEnd, suffix: this.#spanSuffix };
  }

  /** The keys captured at parse time and their values while the text is still the fields. */
  get peeked(): { keys: readonly string[]; values: readonly unknown[] } | undefined {
    return this.#peekValues === undefined || this.#members === undefined ? undefined : { keys: this.#peekKeys!, values: this.#peekValues };
  }

  get fields(): Fields {
    if (this.#fields === undefined) {
      this.#fields = JSON.parse('{' + this.#members! + '}') as Fields;
      this.#members = undefined;
      this.#peekValues = undefined;
    }
    return this.#fields;
  }

  set fields(v: Fields) {
    this.#fields = v;
    this.#members = undefined;
    this.#peekValues = undefined;
  }

  /** The fields' members as JSON text (no braces) while `fields` was never read; undefined after. */
  get fieldsMembers(): string | undefined {
    return this.#members;
  }

  /**
   * The plain event shape for JSON.stringify (the disk buffer serializes events so): `fields` is an
   * accessor, which JSON.stringify would otherwise skip. Does not materialize the event.
   */
  toJSON(): Omit<LogEvent, 'fields'> & { fields: Fields } {
    const fields = this.#members === undefined ? this.#fields! : (JSON.parse('{' + this.#members + '}') as Fields);
    return { type: 'log', timestamp: this.timestamp, fields, raw: this.raw, id: this.id, source: this.source, size: this.size };
  }

  /**
   * One top-level field without parsing the rest (nor keeping the result): see peekField. A key
   * captured at parse time is answered from the capture; any other is parsed out of the text.
   */
  peek(key: string): unknown {
    const m = this.#members;
    if (m === undefined) return this.#fields![key];
    const v = this.#peekValues;
    if (v !== undefined) {
      const i = this.#peekKeys!.indexOf(key);
      if (i >= 0) return v[i];
    }
    return memberValue(m, key);
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

/** Index of the first non-whitespace character at or after `i`. */
function skipWs(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return i;
    i++;
  }
}

/**
 * The value of a top-level member of an object's members text (the JSON between its braces), or
 * undefined. Skips strings and nested values without parsing them; any valid JSON is read right
 * (whitespace, escaped names, the last of duplicate names), compact JSON (JSON.stringify output,
 * the usual case) fastest.
 */
export function memberValue(s: string, key: string): unknown {
  // JSON.stringify writes a key exactly as JSON.stringify(key): compare the quoted text in place.
  if (key !== lastKey) {
    lastKey = key;
    lastQuoted = JSON.stringify(key);
    lastNeedle = lastQuoted + ':';
  }
  const quoted = lastQuoted;
  // Fast path: `"key":` can only occur in valid JSON as a member name (a quote right after the
  // name's last character ends a string, and only a member name is followed by a colon). Preceded
  // by `,` or at the start, with no `{` or `[` before it, it is a top-level member — the one
  // JSON.parse keeps if the name occurs once and no name is escaped.
  const p = s.indexOf(lastNeedle);
  if (p >= 0 && s.indexOf(lastNeedle, p + 1) < 0 && s.indexOf('\\u') < 0) {
    const before = s.charCodeAt(p - 1);
    if ((before === 44 || p === 0) && s.lastIndexOf('{', p) < 0 && s.lastIndexOf('[', p) < 0) return valueAt(s, p + quoted.length + 1);
  }
  // Member by member: names compared as text, or decoded when they hold an escape; the last
  // member of that name wins, as in JSON.parse.
  let found = -1;
  let i = skipWs(s, 0);
  while (s.charCodeAt(i) === 34) {
    const ke = stringEnd(s, i);
    const vs = skipWs(s, skipWs(s, ke) + 1); // past the colon
    const ve = valueEnd(s, vs);
    if (ke - i === quoted.length && s.startsWith(quoted, i)) found = vs;
    else {
      const bs = s.indexOf('\\', i);
      if (bs >= 0 && bs < ke && JSON.parse(s.slice(i, ke)) === key) found = vs;
    }
    i = skipWs(s, ve);
    if (s.charCodeAt(i) !== 44) break;
    i = skipWs(s, i + 1);
  }
  return found < 0 ? undefined : valueAt(s, found);
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
