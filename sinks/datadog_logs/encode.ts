/**
 * Events → Datadog log entries → payloads that respect the intake's limits (PROTOCOLS.md "Datadog"):
 * at most 1000 entries and 5 MB uncompressed per payload, 1 MB per entry.
 *
 * - `message` is the event's wire JSON (codec ndjson/json: Datadog parses a JSON message into
 *   attributes, `timestamp` becoming the log date) or its original line (codec raw; events without
 *   one fall back to the wire JSON).
 * - A message over MAX_MESSAGE_BYTES (UTF-8) is cut at a character boundary to that size; the caller
 *   counts it. (Datadog would truncate it too, silently; here it is counted.)
 * - A batch is split in order into payloads of ≤ MAX_ENTRIES entries and ≤ MAX_PAYLOAD_BYTES bytes of
 *   serialized JSON array, so no request the sink makes can exceed the limits.
 */
import { peekField, type Event } from '../../src/core/event.js';
import { eventToJson, type WireOptions } from '../../src/delivery/encoding.js';
import { splitBySize } from './parts.js';

export const MAX_ENTRIES = 1000;
/** Below the intake's 5 MiB (5,242,880 B) with room for the array brackets and commas. */
export const MAX_PAYLOAD_BYTES = 5_000_000;
/** Below the intake's 1 MiB per entry, with room for the reserved attributes. */
export const MAX_MESSAGE_BYTES = 1_000_000;

export interface LogItem {
  ddsource: string;
  ddtags?: string;
  hostname?: string;
  message: string;
  service?: string;
}

export interface EntryOptions {
  ddsource: string;
  /** Already comma-joined; undefined/empty → no ddtags attribute. */
  ddtags: string | undefined;
  service: string | undefined;
  hostname: string | undefined;
  hostnameField: string;
  raw: boolean;
  wire: WireOptions;
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, max: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= max) return s;
  let n = max;
  // Back off continuation bytes (10xxxxxx) so the cut lands on a character start.
  while (n > 0 && (buf[n]! & 0xc0) === 0x80) n--;
  return buf.subarray(0, n).toString('utf8');
}

/** One entry per event; `onTruncated` is told how many messages were cut. */
export function toEntries(events: readonly Event[], o: EntryOptions, onTruncated: (n: number) => void): LogItem[] {
  const out = new Array<LogItem>(events.length);
  let truncated = 0;
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    let message = o.raw && ev.type === 'log' && ev.raw !== undefined ? ev.raw : eventToJson(ev, o.wire);
    // Cheap gate first: a string of ≤ max/3 UTF-16 units cannot exceed max UTF-8 bytes.
    if (message.length > MAX_MESSAGE_BYTES / 3 && Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
      message = truncateUtf8(message, MAX_MESSAGE_BYTES);
      truncated++;
    }
    const item: LogItem = { ddsource: o.ddsource, message };
    if (o.ddtags) item.ddtags = o.ddtags;
    const h = ev.type === 'log' ? peekField(ev, o.hostnameField) : undefined;
    if (typeof h === 'string' && h !== '') item.hostname = h;
    else if (o.hostname !== undefined) item.hostname = o.hostname;
    if (o.service !== undefined) item.service = o.service;
    out[i] = item;
  }
  if (truncated > 0) onTruncated(truncated);
  return out;
}

/** Characters JSON.stringify writes as something other than themselves (controls, surrogates). */
const NOT_PLAIN = /[\u0000-\u001f\ud800-\udfff]/;

/** UTF-8 bytes of JSON.stringify(s), without building it when only `"` and `\` need escaping. */
export function jsonStringBytes(s: string): number {
  if (NOT_PLAIN.test(s)) return Buffer.byteLength(JSON.stringify(s));
  let n = Buffer.byteLength(s) + 2;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  for (let i = s.indexOf('\\'); i >= 0; i = s.indexOf('\\', i + 1)) n++;
  return n;
}

/**
 * Serialized size of one entry inside the array (its JSON plus one comma): the same number as
 * Buffer.byteLength(JSON.stringify(item)) + 1 (a test holds them equal), without serializing the
 * message a second time (the client library serializes the request once more).
 */
export function entryBytes(item: LogItem): number {
  // {"ddsource":…,"ddtags":…,"hostname":…,"message":…,"service":…} in the order LogItem is built.
  let n = 2 + 11 + jsonStringBytes(item.ddsource) + 11 + jsonStringBytes(item.message);
  if (item.ddtags !== undefined) n += 10 + jsonStringBytes(item.ddtags);
  if (item.hostname !== undefined) n += 12 + jsonStringBytes(item.hostname);
  if (item.service !== undefined) n += 11 + jsonStringBytes(item.service);
  return n + 1;
}

/** Splits entries in order into parts within MAX_ENTRIES / MAX_PAYLOAD_BYTES; returns the total bytes too. */
export function splitEntries(items: LogItem[], maxEntries = MAX_ENTRIES, maxBytes = MAX_PAYLOAD_BYTES): { parts: LogItem[][]; bytes: number } {
  return splitBySize(items, entryBytes, maxEntries, maxBytes);
}
