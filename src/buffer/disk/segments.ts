/**
 * Segment files (`<20-digit id>.seg` in the buffer's directory) and the recovery scan that turns
 * their records into metadata at startup. Corrupt regions (bad magic, bad CRC, a torn tail) are
 * reported through `onCorrupt` and skipped: the scan resynchronises on the next offset that holds a
 * valid record, so one damaged record never hides the ones after it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEADER_BYTES, RECORD_MAGIC, readHeader, validRecordAt } from './record.js';

export const SEGMENT_SUFFIX = '.seg';

export function segmentName(id: number): string {
  return `${String(id).padStart(20, '0')}${SEGMENT_SUFFIX}`;
}

export function segmentPath(dir: string, id: number): string {
  return join(dir, segmentName(id));
}

/** Ids of the segment files in `dir`, ascending. */
export function listSegments(dir: string): number[] {
  const ids: number[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(SEGMENT_SUFFIX)) continue;
    const id = Number(name.slice(0, -SEGMENT_SUFFIX.length));
    if (Number.isSafeInteger(id) && id >= 0) ids.push(id);
  }
  return ids.sort((a, b) => a - b);
}

export interface ScannedRecord {
  offset: number;
  /** Header + payload. */
  length: number;
  count: number;
  bytes: number;
}

export interface CorruptRegion {
  offset: number;
  length: number;
  reason: string;
}

/** Valid records of segment `id` from byte `from` on, and the corrupt regions between them. */
export function scanSegment(dir: string, id: number, from: number): { records: ScannedRecord[]; corrupt: CorruptRegion[]; size: number } {
  const buf = readFileSync(segmentPath(dir, id));
  const records: ScannedRecord[] = [];
  const corrupt: CorruptRegion[] = [];
  let at = Math.min(from, buf.length);
  while (at < buf.length) {
    const h = readHeader(buf, at);
    if (h !== undefined && validRecordAt(buf, at, h)) {
      records.push({ offset: at, length: HEADER_BYTES + h.length, count: h.count, bytes: h.bytes });
      at += HEADER_BYTES + h.length;
      continue;
    }
    const next = resync(buf, at + 1);
    const reason = h === undefined ? (at + HEADER_BYTES > buf.length ? 'torn header' : 'bad magic') : at + HEADER_BYTES + h.length > buf.length ? 'torn record' : 'checksum mismatch';
    corrupt.push({ offset: at, length: next - at, reason });
    at = next;
  }
  return { records, corrupt, size: buf.length };
}

/** The first offset >= from that holds a valid record; buf.length when none does. */
function resync(buf: Buffer, from: number): number {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(RECORD_MAGIC, 0);
  for (let at = buf.indexOf(magic, from); at !== -1; at = buf.indexOf(magic, at + 1)) {
    if (validRecordAt(buf, at)) return at;
  }
  return buf.length;
}
