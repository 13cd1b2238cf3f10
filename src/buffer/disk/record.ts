/**
 * The disk buffer's record codec. One record per pushed batch:
 *
 *   magic u32 | length u32 | crc32c u32 | count u32 | bytes u32 | payload (length bytes)
 *
 * little-endian; the CRC covers count, bytes and the payload. `count` and `bytes` (the sum of the
 * events' `size`) let recovery account for a record without parsing it.
 *
 * Payload, by its first byte:
 * - `[` (version 1, still read): the JSON array of the events.
 * - 0x02 (version 2, written): one entry per event. A log event whose fields are still JSON text
 *   (LazyLogEvent: the file source's fast path) is stored as its strings — timestamp, size, id,
 *   source, raw line, fields members (or, for a canonical line, the members' span in the raw line
 *   and a suffix: the line is stored once) and the peeked fields — and comes back as a LazyLogEvent
 *   without a JSON.parse of its fields: the disk buffer adds no parse + serialize round to the fast
 *   path. Any other event is stored as its JSON text, as in version 1:
 *     0x01 | f64 timestamp | u32 size | str id | str source | str raw | i32 start | i32 end | str text | str peeked
 *     0x00 | str JSON
 *   where str = u32 byte length (0xffffffff: absent) + UTF-8 bytes; start ≥ 0: members =
 *   raw[start..end) + text, else members = text; peeked = JSON [keys, values] or absent.
 * decodeEvents() rebuilds JSON-stored events with every key present (the event model's fixed
 * shapes), and histogram bounds that JSON turned into null back into Infinity.
 */
import { LazyLogEvent, makeLogEvent, type Event, type Fields, type HistogramBucket, type MetricEvent } from '../../core/event.js';
import { ABSENT_STRING as ABSENT, ByteWriter } from '../../core/byte-writer.js';
import { crc32c } from './crc32c.js';

export const RECORD_MAGIC = 0xed7a11b5;
export const HEADER_BYTES = 20;
/** Larger lengths are treated as corruption (a single batch is never near this). */
export const MAX_RECORD_BYTES = 1 << 30;

export interface RecordHeader {
  length: number;
  crc: number;
  count: number;
  bytes: number;
}

const V2 = 0x02;
const LAZY = 0x01;
const JSON_EVENT = 0x00;

/** Peeked values by key (JSON would turn an absent value in an array into null). */
function peekedObject(keys: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) if (values[i] !== undefined) Object.defineProperty(o, keys[i]!, { value: values[i], enumerable: true });
  return o;
}

/** Size of the last record: the next one's buffer is allocated about that big. */
let lastRecordBytes = 0;

/** Encodes one batch as a complete record (header + payload). */
export function encodeRecord(events: readonly Event[], bytes: number): Buffer {
  const w = new ByteWriter(lastRecordBytes + (lastRecordBytes >> 3), HEADER_BYTES);
  w.u8(V2);
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    const members = ev instanceof LazyLogEvent ? ev.fieldsMembers : undefined;
    if (members === undefined) {
      w.u8(JSON_EVENT);
      w.str(JSON.stringify(ev));
      continue;
    }
    const lazy = ev as LazyLogEvent;
    w.u8(LAZY);
    w.f64(lazy.timestamp);
    w.u32(lazy.size);
    w.str(lazy.id);
    w.str(lazy.source);
    w.str(lazy.raw);
    const span = lazy.raw === undefined ? undefined : lazy.membersSpan;
    w.i32(span ? span.start : -1);
    w.i32(span ? span.end : -1);
    w.str(span ? span.suffix : members);
    const p = lazy.peeked;
    w.str(p === undefined ? undefined : JSON.stringify([p.keys, peekedObject(p.keys, p.values)]));
  }
  const rec = w.finish();
  lastRecordBytes = rec.length;
  rec.writeUInt32LE(RECORD_MAGIC, 0);
  rec.writeUInt32LE(rec.length - HEADER_BYTES, 4);
  rec.writeUInt32LE(events.length, 12);
  rec.writeUInt32LE(Math.min(bytes, 0xffffffff), 16);
  rec.writeUInt32LE(crc32c(rec, 12), 8);
  return rec;
}

/** The header at buf[at..], or undefined when the magic is wrong or the header is cut off. */
export function readHeader(buf: Uint8Array, at: number): RecordHeader | undefined {
  if (at + HEADER_BYTES > buf.length) return undefined;
  const v = new DataView(buf.buffer, buf.byteOffset + at, HEADER_BYTES);
  if (v.getUint32(0, true) !== RECORD_MAGIC) return undefined;
  return { length: v.getUint32(4, true), crc: v.getUint32(8, true), count: v.getUint32(12, true), bytes: v.getUint32(16, true) };
}

/** True when buf[at..] holds a whole record whose CRC matches. */
export function validRecordAt(buf: Uint8Array, at: number, h: RecordHeader | undefined = readHeader(buf, at)): boolean {
  if (h === undefined || h.length > MAX_RECORD_BYTES) return false;
  const end = at + HEADER_BYTES + h.length;
  if (end > buf.length) return false;
  return crc32c(buf, at + 12, end) === h.crc;
}

interface StoredMetric {
  name: MetricEvent['name'];
  kind: MetricEvent['kind'];
  value?: number | null;
  buckets?: { le: number | null; count: number }[] | null;
  sum?: number | null;
  count?: number | null;
  tags?: Record<string, string>;
  absolute?: boolean;
}

interface StoredEvent extends StoredMetric {
  type: 'log' | 'metric';
  timestamp: number;
  fields?: Fields;
  raw?: string | null;
  id: string;
  source: string;
  size: number;
}

/** An event stored as JSON (version 1, or version 2's JSON entries) as an event again. */
function storedEvent(s: StoredEvent): Event {
  if (s.type === 'log') return makeLogEvent(s.source, s.id, s.timestamp, s.fields ?? {}, s.raw ?? undefined, s.size);
  const buckets: HistogramBucket[] | undefined = s.buckets ? s.buckets.map((b) => ({ le: b.le ?? Infinity, count: b.count })) : undefined;
  return {
    type: 'metric',
    name: s.name,
    kind: s.kind,
    value: s.value ?? undefined,
    buckets,
    sum: s.sum ?? undefined,
    count: s.count ?? undefined,
    tags: s.tags ?? {},
    ...(s.absolute === true ? { absolute: true } : {}),
    timestamp: s.timestamp,
    id: s.id,
    source: s.source,
    size: s.size,
  };
}

/** Reads version 2 entries (see the top of this file). */
class PayloadReader {
  off = 1;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.off + n > this.buf.length) throw new Error('record payload cut off');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.off++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.off);
    this.off += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.buf.readInt32LE(this.off);
    this.off += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.off);
    this.off += 8;
    return v;
  }

  str(): string | undefined {
    const n = this.u32();
    if (n === ABSENT) return undefined;
    this.need(n);
    const s = this.buf.toString('utf8', this.off, this.off + n);
    this.off += n;
    return s;
  }
}

function decodeV2(payload: Buffer): Event[] {
  const r = new PayloadReader(payload);
  const out: Event[] = [];
  while (r.off < payload.length) {
    const tag = r.u8();
    if (tag === JSON_EVENT) {
      out.push(storedEvent(JSON.parse(r.str() ?? 'null') as StoredEvent));
      continue;
    }
    if (tag !== LAZY) throw new Error(`unknown record entry ${tag}`);
    const timestamp = r.f64();
    const size = r.u32();
    const id = r.str() ?? '';
    const source = r.str() ?? '';
    const raw = r.str();
    const start = r.i32();
    const end = r.i32();
    const text = r.str() ?? '';
    const peekedJson = r.str();
    const members = start >= 0 && raw !== undefined ? raw.slice(start, end) + text : text;
    let keys: string[] | undefined;
    let values: unknown[] | undefined;
    if (peekedJson !== undefined) {
      const [k, byKey] = JSON.parse(peekedJson) as [string[], Record<string, unknown>];
      keys = k;
      values = k.map((key) => (Object.hasOwn(byKey, key) ? byKey[key] : undefined));
    }
    const ev = new LazyLogEvent(source, id, timestamp, members, raw, size, keys, values);
    out.push(start >= 0 && raw !== undefined ? ev.setSpan(start, end, text) : ev);
  }
  return out;
}

/** Parses a record's payload back into events. Throws on a malformed payload. */
export function decodeEvents(payload: Buffer): Event[] {
  if (payload[0] === V2) return decodeV2(payload);
  const stored = JSON.parse(payload.toString('utf8')) as StoredEvent[];
  const out: Event[] = new Array<Event>(stored.length);
  for (let i = 0; i < stored.length; i++) out[i] = storedEvent(stored[i]!);
  return out;
}
