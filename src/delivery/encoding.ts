/**
 * The wire encoding shared by sinks that speak JSON (DESIGN.md "Data model"): a log event is ONE flat
 * object — `timestamp` (ISO-8601), its fields, `event_id`; a line that did not parse carries `raw`
 * and `parse_error` (plus any field a transform added) instead of parsed fields. Metric events are
 * `{timestamp, name, kind, value | buckets+sum+count, tags, event_id}`.
 *
 * Key order on the wire: `timestamp` first (humans read it first), `raw` next for unparsed lines, then
 * the fields in their own order, `event_id` last. `except_fields` / `only_fields` apply to the whole
 * wire object, so they can drop `timestamp` and `event_id` too (only first, then except).
 *
 * This is the hot path. Without except/only fields a log event is encoded without intermediate
 * objects: JSON.stringify(fields) once, with the timestamp and event_id spliced in as strings.
 */
import { LazyLogEvent, type Event, type LogEvent, type MetricEvent } from '../core/event.js';
import type { EncodingConfig } from './config.js';

export type Codec = EncodingConfig['codec'];

/** Options the encoders read; an EncodingConfig fits. */
export interface WireOptions {
  except_fields?: readonly string[] | undefined;
  only_fields?: readonly string[] | undefined;
}

/** Compiled except/only lists; undefined when the wire object is not filtered (the fast path). */
interface WireFilter {
  only: ReadonlySet<string> | undefined;
  except: ReadonlySet<string> | undefined;
}

const filterCache = new WeakMap<object, WireFilter | null>();

function compileFilter(opts: WireOptions | undefined): WireFilter | undefined {
  if (!opts) return undefined;
  const cached = filterCache.get(opts);
  if (cached !== undefined) return cached ?? undefined;
  const only = opts.only_fields && opts.only_fields.length > 0 ? new Set(opts.only_fields) : undefined;
  const except = opts.except_fields && opts.except_fields.length > 0 ? new Set(opts.except_fields) : undefined;
  const f = only || except ? { only, except } : null;
  filterCache.set(opts, f);
  return f ?? undefined;
}

function keep(f: WireFilter | undefined, key: string): boolean {
  if (!f) return true;
  if (f.only && !f.only.has(key)) return false;
  return !(f.except && f.except.has(key));
}

// Events of one batch often share their timestamp (second-resolution logs): remember the last one.
let lastTs = NaN;
let lastIso = '';
// …or at least their second: "YYYY-MM-DDTHH:MM:SS." is reused and only the milliseconds appended.
let lastSec = NaN;
let lastSecPrefix = '';
const MS3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0') + 'Z');

/**
 * ISO-8601 (UTC, milliseconds) of an epoch-ms timestamp; undefined when it is not a representable
 * date (the key is then left out rather than failing the whole batch).
 */
export function isoTimestamp(ts: number): string | undefined {
  if (ts === lastTs) return lastIso;
  if (!(ts >= -8.64e15 && ts <= 8.64e15)) return undefined;
  const sec = Math.floor(ts / 1000);
  if (sec === lastSec && Number.isInteger(ts)) {
    lastIso = lastSecPrefix + MS3[ts - sec * 1000]!;
  } else {
    lastIso = new Date(ts).toISOString();
    // Years 0000–9999 have the fixed 24-character shape; others (±YYYYYY) are not cached.
    if (lastIso.length === 24) {
      lastSec = sec;
      lastSecPrefix = lastIso.slice(0, 20);
    }
  }
  lastTs = ts;
  return lastIso;
}

/** Histogram bucket bounds: Infinity has no JSON number, so the last bound is the string "+Inf". */
function wireBuckets(m: MetricEvent): Array<{ le: number | string; count: number }> | undefined {
  if (!m.buckets) return undefined;
  const out = new Array<{ le: number | string; count: number }>(m.buckets.length);
  for (let i = 0; i < m.buckets.length; i++) {
    const b = m.buckets[i]!;
    out[i] = { le: b.le === Infinity ? '+Inf' : b.le, count: b.count };
  }
  return out;
}

function metricToWire(m: MetricEvent, f: WireFilter | undefined): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const iso = isoTimestamp(m.timestamp);
  if (iso !== undefined && keep(f, 'timestamp')) o.timestamp = iso;
  if (keep(f, 'name')) o.name = m.name;
  if (keep(f, 'kind')) o.kind = m.kind;
  if (m.value !== undefined && keep(f, 'value')) o.value = m.value;
  if (m.buckets !== undefined && keep(f, 'buckets')) o.buckets = wireBuckets(m);
  if (m.sum !== undefined && keep(f, 'sum')) o.sum = m.sum;
  if (m.count !== undefined && keep(f, 'count')) o.count = m.count;
  if (m.absolute === true && keep(f, 'absolute')) o.absolute = true;
  if (keep(f, 'tags')) o.tags = m.tags;
  if (keep(f, 'event_id')) o.event_id = m.id;
  return o;
}

function logToWire(ev: LogEvent, f: WireFilter | undefined): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const iso = isoTimestamp(ev.timestamp);
  if (iso !== undefined && keep(f, 'timestamp')) o.timestamp = iso;
  const fields = ev.fields;
  if (fields.parse_error !== undefined && ev.raw !== undefined && keep(f, 'raw')) o.raw = ev.raw;
  for (const k in fields) {
    // The event's own timestamp and id are authoritative: copies in fields never reach the wire.
    if (k === 'timestamp' || k === 'event_id') continue;
    if (o.raw !== undefined && k === 'raw') continue;
    const v = fields[k];
    if (v === undefined || !keep(f, k)) continue;
    // A field literally named __proto__ must stay data, as JSON.stringify(fields) treats it.
    if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    else o[k] = v;
  }
  if (keep(f, 'event_id')) o.event_id = ev.id;
  return o;
}

/** The wire object of one event (for sinks that wrap it, e.g. in an envelope). */
export function eventToWire(ev: Event, opts?: WireOptions): Record<string, unknown> {
  const f = compileFilter(opts);
  return ev.type === 'log' ? logToWire(ev, f) : metricToWire(ev, f);
}

/**
 * One event as a JSON text (no newline). Equivalent to JSON.stringify(eventToWire(ev, opts)) but,
 * without a filter, builds the string directly from JSON.stringify(fields).
 */
export function eventToJson(ev: Event, opts?: WireOptions): string {
  return wireJson(ev, compileFilter(opts));
}

function wireJson(ev: Event, f: WireFilter | undefined): string {
  if (f !== undefined || ev.type !== 'log') return JSON.stringify(eventToWireF(ev, f));
  // Fields still as JSON text (never read on this thread): splice the members in as they are.
  // Such fields hold no timestamp, event_id or parse_error (LazyLogEvent's invariant).
  const pre = ev instanceof LazyLogEvent ? ev.fieldsMembers : undefined;
  if (pre !== undefined) {
    const iso = isoTimestamp(ev.timestamp);
    let s = iso === undefined ? '{' : '{"timestamp":"' + iso + '",';
    if (pre.length > 0) s += pre + ',';
    return s + '"event_id":' + JSON.stringify(ev.id) + '}';
  }
  const fields = ev.fields;
  const parseError = fields.parse_error !== undefined;
  // Rare shapes (a field shadowing a wire key) take the object path, which drops the shadow.
  if (fields.timestamp !== undefined || fields.event_id !== undefined || (parseError && fields.raw !== undefined)) return JSON.stringify(logToWire(ev, undefined));
  const body = JSON.stringify(fields);
  const iso = isoTimestamp(ev.timestamp);
  let s = iso === undefined ? '{' : '{"timestamp":"' + iso + '",';
  if (parseError && ev.raw !== undefined) s += '"raw":' + JSON.stringify(ev.raw) + ',';
  // body is "{}" or "{...}": splice its members in.
  if (body.length > 2) s += body.slice(1, -1) + ',';
  return s + '"event_id":' + JSON.stringify(ev.id) + '}';
}

function eventToWireF(ev: Event, f: WireFilter | undefined): Record<string, unknown> {
  return ev.type === 'log' ? logToWire(ev, f) : metricToWire(ev, f);
}

/** NDJSON: one wire object per line, each line ending in "\n" (the last one too). */
export function encodeNdjson(events: readonly Event[], opts?: WireOptions): string {
  const f = compileFilter(opts);
  let out = '';
  for (let i = 0; i < events.length; i++) out += wireJson(events[i]!, f) + '\n';
  return out;
}

/** One JSON array of wire objects (the `json` codec: one array per request body). */
export function encodeJsonArray(events: readonly Event[], opts?: WireOptions): string {
  const f = compileFilter(opts);
  if (events.length === 0) return '[]';
  let out = '[' + wireJson(events[0]!, f);
  for (let i = 1; i < events.length; i++) out += ',' + wireJson(events[i]!, f);
  return out + ']';
}

/**
 * The `raw` codec: each event's original line (`raw`), one per line, each ending in "\n".
 * An event without a raw line (a metric, or a log event built by a transform) falls back to its
 * wire JSON, so nothing is silently lost. except/only fields apply only to that fallback.
 */
export function encodeRaw(events: readonly Event[], opts?: WireOptions): string {
  const f = compileFilter(opts);
  let out = '';
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    out += (ev.type === 'log' && ev.raw !== undefined ? ev.raw : wireJson(ev, f)) + '\n';
  }
  return out;
}

/** Encodes a batch with the configured codec. */
export function encodeEvents(events: readonly Event[], codec: Codec, opts?: WireOptions): string {
  if (codec === 'ndjson') return encodeNdjson(events, opts);
  if (codec === 'json') return encodeJsonArray(events, opts);
  return encodeRaw(events, opts);
}

/** The Content-Type of a body in a codec. */
export function contentTypeFor(codec: Codec): string {
  if (codec === 'ndjson') return 'application/x-ndjson';
  if (codec === 'json') return 'application/json';
  return 'text/plain; charset=utf-8';
}
