/**
 * The disk buffer (docs/buffers.md): a per-sink append-only segmented log plus a ledger.
 *
 * push() encodes the batch as one record, queues it for the writer (concurrent pushes share one
 * write and one fsync), and once the record is written under the sync policy it releases the
 * batch's finalizer and resolves: from then on the buffer owns the events. take() reads records
 * oldest first (from a bounded in-memory cache of recently written batches, else from the segment
 * with a synchronous read, CRC-checked) and ack() marks them delivered. The ledger's ack position
 * advances only over a contiguous acknowledged prefix, so acks may arrive in any order; after a
 * restart everything from the ack position on is delivered again (at-least-once). A segment file is
 * deleted once the persisted ack position lies beyond it.
 *
 * Write failures (disk full, I/O errors) are retried with backoff while the pushes wait (the source
 * is back-pressured, nothing is lost) and `problem` says why; close() rejects them with SHUTDOWN
 * without releasing their finalizers.
 */
import { mkdirSync } from 'node:fs';
import type { Logger } from '../../core/component.js';
import type { Event } from '../../core/event.js';
import type { BatchStatus, Finalizer } from '../../core/finalizer.js';
import { EdgetailError, errorMessage } from '../../core/errors.js';
import { Admission } from '../admission.js';
import type { Chunk, SinkBuffer, WhenFull } from '../types.js';
import { Flusher } from './flusher.js';
import { LedgerKeeper } from './keeper.js';
import type { LedgerState, Position } from './ledger.js';
import { SegmentReader } from './reader.js';
import { encodeRecord } from './record.js';
import { recoverLog } from './recovery.js';
import { segmentName } from './segments.js';
import { SegmentWriter } from './writer.js';
import { DEFAULT_CACHE_BYTES, DEFAULT_DISK_BUFFER_BYTES, DEFAULT_SEGMENT_BYTES, DiskChunk, type DiskBufferOptions, type PendingWrite, type RecordMeta } from './options.js';

export class DiskBuffer implements SinkBuffer {
  readonly kind = 'disk';
  readonly dir: string;
  readonly maxEvents: number | undefined;
  readonly maxBytes: number;
  readonly whenFull: WhenFull;
  /** Corrupt records (regions) found since open. */
  corruptRecords = 0;

  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly onCorrupt: ((n: number) => void) | undefined;
  private readonly admission: Admission;
  private readonly writer: SegmentWriter;
  private readonly flusher: Flusher;
  private readonly keeper: LedgerKeeper;
  private readonly reader: SegmentReader;
  private readonly cacheLimit: number;
  private cacheBytes = 0;

  private metas: RecordMeta[] = [];
  /** metas[head] is the oldest record not fully acknowledged. */
  private head = 0;
  /** metas[readIdx] is the next record to take from; `current` holds its events once loaded. */
  private readIdx = 0;
  private current: Event[] | undefined;
  private committedEnd: Position;
  private queuedE = 0;
  private queuedB = 0;
  private closing: Promise<void> | undefined;

  constructor(opts: DiskBufferOptions) {
    this.dir = opts.dir;
    this.logger = opts.logger;
    this.maxEvents = opts.max_events;
    this.maxBytes = opts.max_bytes ?? DEFAULT_DISK_BUFFER_BYTES;
    this.whenFull = opts.when_full ?? 'block';
    this.now = opts.now ?? (() => performance.now());
    this.onCorrupt = opts.onCorrupt;
    this.cacheLimit = opts.cacheBytes ?? DEFAULT_CACHE_BYTES;
    this.admission = new Admission({ maxEvents: this.maxEvents, maxBytes: this.maxBytes, whenFull: this.whenFull }, (events, bytes, finalizer, dropped) =>
      this.write(events, bytes, finalizer, dropped),
    );
    mkdirSync(this.dir, { recursive: true });
    this.reader = new SegmentReader(this.dir);
    const recovered = recoverLog(this.dir, this.logger, (segment, offset, length, reason) => this.corrupt(segment, offset, length, reason));
    const pushedAt = this.now();
    for (const r of recovered.records) {
      this.metas.push({ segment: r.segment, offset: r.offset, length: r.length, count: r.count, bytes: r.bytes, pushedAt, cached: undefined, taken: 0, pending: 0, done: false });
      this.queuedE += r.count;
      this.queuedB += r.bytes;
    }
    this.admission.heldEvents = this.queuedE;
    this.admission.heldBytes = this.queuedB;
    if (this.metas.length > 0) this.logger.info({ dir: this.dir, events: this.queuedE, records: this.metas.length }, 'disk buffer: resuming delivery from the ledger');
    this.writer = new SegmentWriter(this.dir, recovered.nextSegment, opts.segmentMaxBytes ?? DEFAULT_SEGMENT_BYTES, opts.sync ?? 'batch', opts.syncIntervalMs ?? 1000, (err) =>
      this.logger.error({ err: errorMessage(err), dir: this.dir }, 'disk buffer fsync failed'),
    );
    this.committedEnd = this.writer.end;
    this.flusher = new Flusher({
      dir: this.dir,
      logger: this.logger,
      writer: this.writer,
      retryInitialMs: opts.retryInitialMs ?? 500,
      retryMaxMs: opts.retryMaxMs ?? 30_000,
      onCommit: (group, positions) => this.commit(group, positions),
      onFail: (group) => this.fail(group),
      onWriteError: () => this.writeFailed(),
    });
    this.keeper = new LedgerKeeper(this.dir, this.logger, this.reader, recovered.oldestSegment, () => this.state(), () => this.flusher.retryNow());
  }

  /** Why writes are failing right now (the sink reports not-ready); undefined when healthy. */
  get problem(): string | undefined { return this.flusher.problem; }
  get events(): number { return this.admission.heldEvents; }
  get bytes(): number { return this.admission.heldBytes; }
  get queuedEvents(): number { return this.queuedE; }
  get queuedBytes(): number { return this.queuedB; }
  get waitingPushes(): number { return this.admission.waiting; }
  get oldestQueuedAt(): number | undefined { return this.queuedE > 0 ? this.metas[this.readIdx]?.pushedAt : undefined; }
  get fill(): number { return this.admission.fill; }

  push(events: Event[], finalizer?: Finalizer): Promise<number> {
    return this.admission.push(events, finalizer);
  }

  take(maxEvents: number, maxBytes: number): Chunk | null {
    if (this.queuedE === 0) return null;
    if (maxEvents < 1) maxEvents = 1;
    const out: Event[] = [];
    const metas: RecordMeta[] = [];
    let bytes = 0;
    let freedEvents = 0;
    let freedBytes = 0;
    while (out.length < maxEvents && (bytes < maxBytes || out.length === 0)) {
      const m = this.metas[this.readIdx];
      if (m === undefined) break;
      const evs = this.current ?? this.load(m);
      if (evs === null) {
        // A record that cannot be read: its events are gone; free their room and move on.
        freedEvents += m.count - m.taken;
        if (m.taken === 0) freedBytes += m.bytes;
        this.skip(m);
        continue;
      }
      this.current = evs;
      const start = m.taken;
      let i = start;
      let taken = 0;
      while (i < evs.length && out.length < maxEvents) {
        const size = evs[i]!.size;
        if (bytes + size > maxBytes && out.length > 0) break;
        out.push(evs[i]!);
        bytes += size;
        taken += size;
        i++;
      }
      if (i > start) {
        m.taken = i;
        m.pending += 1;
        metas.push(m);
        this.queuedE -= i - start;
        this.queuedB -= taken;
      }
      if (i < evs.length) break;
      this.nextRecord(m);
    }
    if (freedEvents > 0) {
      this.advanceFront();
      this.admission.release(freedEvents, freedBytes);
    }
    return out.length === 0 ? null : new DiskChunk(out, bytes, metas);
  }

  ack(chunk: Chunk, _status: BatchStatus = 'delivered'): void {
    const c = chunk as DiskChunk;
    if (c.acked) throw new Error('chunk acked twice');
    c.acked = true;
    for (const m of c.metas) {
      m.pending -= 1;
      if (m.pending === 0 && m.taken === m.count) m.done = true;
    }
    this.advanceFront();
    this.admission.release(c.events.length, c.bytes);
  }

  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  // ---- writing --------------------------------------------------------------------------------

  /** The admission's `enter`: encodes the batch and queues it; resolves once it is written. */
  private write(events: Event[], bytes: number, finalizer: Finalizer | undefined, dropped: number): Promise<number> {
    let record: Buffer;
    try {
      record = encodeRecord(events, bytes);
    } catch (err) {
      this.admission.release(events.length, bytes);
      return Promise.reject(new EdgetailError('ENCODE_FAILED', `disk buffer could not encode the batch: ${errorMessage(err)}`));
    }
    return new Promise<number>((resolve, reject) => {
      this.flusher.enqueue({ record, events, bytes, finalizer, dropped, resolve, reject });
    });
  }

  /** A group is on disk: index it, release its finalizers (the buffer owns the events now). */
  private commit(group: PendingWrite[], positions: Position[]): void {
    const pushedAt = this.now();
    for (let i = 0; i < group.length; i++) {
      const g = group[i]!;
      const pos = positions[i]!;
      // The cache is bounded by encoded record bytes, not by `event.size`: for short lines the
      // events' objects weigh many times their line length (1M cached 9-byte lines: ~260 MB).
      let cached: Event[] | undefined;
      if (this.cacheBytes + g.record.length <= this.cacheLimit) {
        cached = g.events;
        this.cacheBytes += g.record.length;
      }
      this.metas.push({ segment: pos.segment, offset: pos.offset, length: g.record.length, count: g.events.length, bytes: g.bytes, pushedAt, cached, taken: 0, pending: 0, done: false });
      this.queuedE += g.events.length;
      this.queuedB += g.bytes;
      this.committedEnd = { segment: pos.segment, offset: pos.offset + g.record.length };
    }
    for (const g of group) {
      g.finalizer?.release('delivered');
      g.resolve(g.dropped);
    }
  }

  /**
   * A write failed and was cut off, so nothing is being written now: the writer's end is the
   * committed end (in a new segment if the writer rotated). When every record is acknowledged,
   * persisting that lets the keeper delete the old segments, which frees space on a full disk.
   */
  private writeFailed(): void {
    this.committedEnd = this.writer.end;
    if (this.head === this.metas.length) this.keeper.changed();
  }

  /** Closed before the group could be written: reject its pushes, finalizers untouched. */
  private fail(group: PendingWrite[]): void {
    for (const g of group) {
      this.admission.release(g.events.length, g.bytes);
      g.reject(new EdgetailError('SHUTDOWN', 'buffer closed before the events were written'));
    }
  }

  // ---- reading --------------------------------------------------------------------------------

  /** The record's events, from the cache or read back and CRC-checked; null when corrupt. */
  private load(m: RecordMeta): Event[] | null {
    if (m.cached) return m.cached;
    const r = this.reader.read(m.segment, m.offset, m.length, m.count);
    return typeof r === 'string' ? this.corrupt(m.segment, m.offset, m.length, r) : r;
  }

  private skip(m: RecordMeta): void {
    const restEvents = m.count - m.taken;
    this.queuedE -= restEvents;
    if (m.taken === 0) this.queuedB -= m.bytes;
    m.taken = m.count;
    if (m.pending === 0) m.done = true;
    this.nextRecord(m);
  }

  private nextRecord(m: RecordMeta): void {
    this.readIdx += 1;
    this.current = undefined;
    if (m.cached) {
      this.cacheBytes -= m.length;
      m.cached = undefined;
    }
  }

  private corrupt(segment: number, offset: number, length: number, reason: string): null {
    this.corruptRecords += 1;
    this.onCorrupt?.(1);
    this.logger.error({ dir: this.dir, segment: segmentName(segment), offset, length, reason }, 'disk buffer: corrupt record skipped');
    return null;
  }

  // ---- the ledger -----------------------------------------------------------------------------

  private advanceFront(): void {
    const start = this.head;
    while (this.head < this.metas.length && this.metas[this.head]!.done) this.head++;
    if (this.head === start) return;
    if (this.head > 1024 && this.head * 2 > this.metas.length) {
      this.metas = this.metas.slice(this.head);
      this.readIdx -= this.head;
      this.head = 0;
    }
    this.keeper.changed();
  }

  private state(): LedgerState {
    const ack = this.metas[this.head] ?? this.committedEnd;
    const read = this.metas[this.readIdx] ?? this.committedEnd;
    return { version: 1, ack: { segment: ack.segment, offset: ack.offset }, read: { segment: read.segment, offset: read.offset } };
  }

  private async finish(): Promise<void> {
    this.admission.close();
    await this.flusher.close();
    await this.writer.close().catch((err: unknown) => this.logger.error({ err: errorMessage(err), dir: this.dir }, 'disk buffer: closing the segment failed'));
    await this.keeper.finish();
    this.reader.closeAll();
  }
}
