/**
 * HEC request bodies. `/event`: one JSON envelope per event, concatenated with nothing in between
 * (HEC reads a stream of JSON objects; no array, no commas):
 *   {"time":<epoch s>,"host":…,"source":…,"sourcetype":…,"index":…,"event":<wire object>,"fields":{…}}
 * Keys without a value are left out (HEC then applies the token's defaults). `/raw`: the original
 * lines (the `raw` codec), the metadata going into the query string instead (see rawQuery).
 */
import { peekField, type Event } from '../../src/core/event.js';
import { ByteWriter } from '../../src/core/byte-writer.js';
import { encodeRaw, eventToJson, type WireOptions } from '../../src/delivery/encoding.js';

export interface EnvelopeOptions {
  host_key: string;
  index?: string | undefined;
  source?: string | undefined;
  sourcetype?: string | undefined;
  indexed_fields: readonly string[];
  /** except_fields / only_fields of the `encoding` key: they shape `event`. */
  wire?: WireOptions | undefined;
}

/** `,"source":…,"sourcetype":…,"index":…` — the same for every envelope of a sink: built once. */
export function staticMeta(o: EnvelopeOptions): string {
  let s = '';
  if (o.source !== undefined) s += ',"source":' + JSON.stringify(o.source);
  if (o.sourcetype !== undefined) s += ',"sourcetype":' + JSON.stringify(o.sourcetype);
  if (o.index !== undefined) s += ',"index":' + JSON.stringify(o.index);
  return s;
}

/** A host value: non-empty strings as they are, finite numbers as text; anything else is no host. */
function hostOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Indexed-field value: HEC wants flat strings (or arrays of them); null and objects are left out. */
function indexedValue(v: unknown): string | string[] | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) return v.map(String);
  return undefined;
}

/** Epoch seconds of an epoch-ms timestamp as a JSON number (1714564800123 → 1714564800.123). */
export function hecTime(ms: number): string | undefined {
  return Number.isFinite(ms) ? String(ms / 1000) : undefined;
}

/** The `/event` envelope of one event (`meta` = staticMeta(o), built once per sink). */
function envelope(ev: Event, o: EnvelopeOptions, meta: string): string {
  const idx = o.indexed_fields;
  const time = hecTime(ev.timestamp);
  const host = ev.type === 'log' ? hostOf(peekField(ev, o.host_key)) : undefined;
  // Key order as documented; a key without a value is left out (and so is its comma).
  let s = time === undefined ? '{' : '{"time":' + time;
  if (host !== undefined) s += (time === undefined ? '"host":' : ',"host":') + JSON.stringify(host);
  const empty = s.length === 1;
  if (meta) s += empty ? meta.slice(1) : meta;
  s += (empty && !meta ? '"event":' : ',"event":') + eventToJson(ev, o.wire);
  if (idx.length > 0 && ev.type === 'log') {
    let f = '';
    for (let j = 0; j < idx.length; j++) {
      const v = indexedValue(peekField(ev, idx[j]!));
      if (v !== undefined) f += (f ? ',' : '') + JSON.stringify(idx[j]) + ':' + JSON.stringify(v);
    }
    if (f) s += ',"fields":{' + f + '}';
  }
  return s + '}';
}

/**
 * The concatenated `/event` body of a batch (`meta` = staticMeta(o), passed in so it is built once),
 * written straight into a Buffer (src/core/byte-writer.ts says why).
 */
export function encodeEnvelopes(events: readonly Event[], o: EnvelopeOptions, meta: string, sizeHint?: number): Buffer {
  const w = new ByteWriter(sizeHint);
  for (let i = 0; i < events.length; i++) w.write(envelope(events[i]!, o, meta));
  return w.finish();
}

/** The `/raw` body: each event's original line + "\n" (JSON for events without one). */
export function encodeRawBody(events: readonly Event[], wire?: WireOptions): string {
  return encodeRaw(events, wire);
}

/** Query string of `/raw` requests: index, source, sourcetype (those set), "" when none. */
export function rawQuery(o: Pick<EnvelopeOptions, 'index' | 'source' | 'sourcetype'>): string {
  const q = new URLSearchParams();
  if (o.index !== undefined) q.set('index', o.index);
  if (o.source !== undefined) q.set('source', o.source);
  if (o.sourcetype !== undefined) q.set('sourcetype', o.sourcetype);
  const s = q.toString();
  return s ? '?' + s : '';
}
