/**
 * The disk buffer's record codec. One record per pushed batch:
 *
 *   magic u32 | length u32 | crc32c u32 | count u32 | bytes u32 | payload (length bytes)
 *
 * little-endian; the CRC covers count, bytes and the payload. `count` and `bytes` (the sum of the
 * events' `size`) let recovery account for a record without parsing it. The payload is the JSON
 * array of the events; decodeEvents() rebuilds them with every key present (the event model's
 * fixed shapes), and histogram bounds that JSON turned into null back into Infinity.
 */
import { makeLogEvent, type Event, type Fields, type HistogramBucket, type MetricEvent } from '../../core/event.js';
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

/** Encodes one batch as a complete record (header + payload). */
export function encodeRecord(events: readonly Event[], bytes: number): Buffer {
  const payload = Buffer.from(JSON.stringify(events), 'utf8');
  const rec = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  rec.writeUInt32LE(RECORD_MAGIC, 0);
  rec.writeUInt32LE(payload.length, 4);
  rec.writeUInt32LE(events.length, 12);
  rec.writeUInt32LE(Math.min(bytes, 0xffffffff), 16);
  payload.copy(rec, HEADER_BYTES);
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

/** Parses a record's payload back into events. Throws on malformed JSON. */
export function decodeEvents(payload: Buffer): Event[] {
  const stored = JSON.parse(payload.toString('utf8')) as StoredEvent[];
  const out: Event[] = new Array<Event>(stored.length);
  for (let i = 0; i < stored.length; i++) {
    const s = stored[i]!;
    if (s.type === 'log') {
      out[i] = makeLogEvent(s.source, s.id, s.timestamp, s.fields ?? {}, s.raw ?? undefined, s.size);
    } else {
      const buckets: HistogramBucket[] | undefined = s.buckets ? s.buckets.map((b) => ({ le: b.le ?? Infinity, count: b.count })) : undefined;
      out[i] = {
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
  }
  return out;
}
