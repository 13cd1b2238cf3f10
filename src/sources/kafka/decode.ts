/**
 * Message value → event. `edgetail_json` reverses the kafka sink's encoding (the wire object of
 * src/delivery/encoding.ts): `event_id` becomes the id, `timestamp` (ISO) the timestamp, `raw` (only
 * present for lines that did not parse) the raw line, the rest the fields; a metric's wire object
 * (name, kind, tags, value/buckets…) becomes a metric event again. Other formats parse the value as
 * a log line with getFormat(); their ids are `<topic>:<partition>:<offset>`.
 */
import { makeLogEvent, type Event } from '../../core/event.js';
import { isMetricWire, wireToEvent } from '../../delivery/dead-letter.js';
import { getFormat, toLogEvent, type Format } from '../../formats/index.js';
import { EDGETAIL_JSON, type KafkaSourceFormat } from './config.js';

export interface RawMessage {
  value: string;
  /** Fallback id: topic:partition:offset. */
  id: string;
  /** Broker timestamp (epoch ms) used when the value carries none. */
  arrival: number;
}

export type Decoder = (m: RawMessage, source: string) => Event | null;

export function decodeEdgetailJson(m: RawMessage, source: string): Event {
  const value = m.value;
  let o: unknown;
  try {
    o = JSON.parse(value);
  } catch {
    o = undefined;
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    return makeLogEvent(source, m.id, m.arrival, { parse_error: 'not an edgetail JSON object' }, value, value.length);
  }
  const fields = o as Record<string, unknown>;
  if (isMetricWire(fields)) {
    const ev = wireToEvent(fields, source, value.length);
    if (ev.id === '') ev.id = m.id;
    return ev;
  }
  const ts = typeof fields.timestamp === 'string' ? Date.parse(fields.timestamp) : NaN;
  const id = typeof fields.event_id === 'string' ? fields.event_id : m.id;
  const raw = typeof fields.raw === 'string' ? fields.raw : undefined;
  delete fields.timestamp;
  delete fields.event_id;
  if (raw !== undefined) delete fields.raw;
  return makeLogEvent(source, id, ts === ts ? ts : m.arrival, fields, raw, value.length);
}

export function makeDecoder(format: KafkaSourceFormat): Decoder {
  if (format === EDGETAIL_JSON) return decodeEdgetailJson;
  const f: Format = getFormat(format);
  return (m, source) => toLogEvent(f.parse(m.value), m.value, source, m.id, m.arrival, m.value.length);
}
