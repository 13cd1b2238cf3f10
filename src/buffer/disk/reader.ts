/**
 * The read side of the log: reads one record back from its segment (synchronously: take() is
 * synchronous) and checks it. One read descriptor per segment, closed when the segment is deleted.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Event } from '../../core/event.js';
import { errorMessage } from '../../core/errors.js';
import { HEADER_BYTES, decodeEvents, validRecordAt } from './record.js';
import { segmentPath } from './segments.js';

export class SegmentReader {
  private readonly fds = new Map<number, number>();

  constructor(private readonly dir: string) {}

  /** The record's events, or a string saying why it cannot be read (corruption, I/O error). */
  read(segment: number, offset: number, length: number, count: number): Event[] | string {
    try {
      const buf = Buffer.allocUnsafe(length);
      const fd = this.fd(segment);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buf, got, length - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      if (got < length) return 'record cut off';
      if (!validRecordAt(buf, 0)) return 'checksum mismatch';
      const evs = decodeEvents(buf.subarray(HEADER_BYTES));
      return evs.length === count ? evs : 'event count mismatch';
    } catch (err) {
      return errorMessage(err);
    }
  }

  closeSegment(segment: number): void {
    const fd = this.fds.get(segment);
    if (fd === undefined) return;
    this.fds.delete(segment);
    closeSync(fd);
  }

  closeAll(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private fd(segment: number): number {
    let fd = this.fds.get(segment);
    if (fd === undefined) {
      fd = openSync(segmentPath(this.dir, segment), 'r');
      this.fds.set(segment, fd);
    }
    return fd;
  }
}
