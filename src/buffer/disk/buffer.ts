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
import { unlink } from 'node:fs/promises';
import type { Logger } from '../../core/component.js';
import type { Event } from '../../core/event.js';
import type { BatchStatus, Finalizer } from '../../core/finalizer.js';
import { EdgetailError, errorMessage } from '../../core/errors.js';
import { sizeOf } from '../memory.js';
import { Queue } from '../queue.js';
import type { Chunk, SinkBuffer, WhenFull } from '../types.js';
import { writeLedger, writeLedgerSync, type LedgerState, type Position } from './ledger.js';
import { SegmentReader } from './reader.js';
import { encodeRecord } from './record.js';
import { recoverLog } from './recovery.js';
import { segmentName, segmentPath } from './segments.js';
import { SegmentWriter } from './writer.js';
import { DEFAULT_CACHE_BYTES, DEFAULT_DISK_BUFFER_BYTES, DEFAULT_SEGMENT_BYTES, DiskChunk, type DiskBufferOptions, type PendingWrite, type RecordMeta, type Waiter } from './options.js';

export class DiskBuffer implements SinkBuffer {
  readonly kind = 'disk';
  readonly dir: string;
  readonly maxEvents: number | undefined;
  readonly maxBytes: number;
  readonly whenFull: WhenFull;
  /** Why writes are failing right now (the sink reports not-ready); undefined when healthy. */
  problem: string | undefined;
  /** Corrupt records (regions) found since open. */
  corruptRecords = 0;

  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly onCorrupt: ((n: number) => void) | undefined;
  private readonly writer: SegmentWriter;
  private readonly cacheLimit: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private cacheBytes = 0;

  private metas: RecordMeta[] = [];
  /** metas[head] is the oldest record not fully acknowledged. */
  private head = 0;
  /** metas[readIdx] is the next record to take from; `current` holds its events once loaded. */
  private readIdx = 0;
  private current: Event[] | undefined;
  private committedEnd: Position;
  private oldestSegment: number;
  private readonly reader: SegmentReader;

  private pending: PendingWrite[] = [];
  private readonly waiters = new Queue<Waiter>();
  private flushing: Promise<void> | undefined;
  private writing = false;
  private wakePause: (() => void) | undefined;
  private ledgerDirty = false;
  private ledgerWriting: Promise<void> | undefined;
  private persisting = false;
  private heldEvents = 0;
  private heldBytes = 0;
  private queuedE = 0;
  private queuedB = 0;
  private closed = false;
  private finished = false;
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
    this.retryInitialMs = opts.retryInitialMs ?? 500;
    this.retryMaxMs = opts.retryMaxMs ?? 30_000;
    mkdirSync(this.dir, { recursive: true });
    this.reader = new SegmentReader(this.dir);
    const recovered = recoverLog(this.dir, this.logger, (segment, offset, length, reason) => this.corrupt(segment, offset, length, reason));
    const pushedAt = this.now();
    for (const r of recovered.records) {
      this.metas.push({ segment: r.segment, offset: r.offset, length: r.length, count: r.count, bytes: r.bytes, pushedAt, cached: undefined, taken: 0, pending: 0, done: false });
      this.heldEvents += r.count;
      this.heldBytes += r.bytes;
    }
    this.queuedE = this.heldEvents;
    this.queuedB = this.heldBytes;
    if (this.metas.length > 0) this.logger.info({ dir: this.dir, events: this.queuedE, records: this.metas.length }, 'disk buffer: resuming delivery from the ledger');
    this.oldestSegment = recovered.oldestSegment;
    this.writer = new SegmentWriter(this.dir, recovered.nextSegment, opts.segmentMaxBytes ?? DEFAULT_SEGMENT_BYTES, opts.sync ?? 'batch', opts.syncIntervalMs ?? 1000, (err) =>
      this.logger.error({ err: errorMessage(err), dir: this.dir }, 'disk buffer fsync failed'),
    );
    this.committedEnd = this.writer.end;
  }

  get events(): number { return this.heldEvents; }
  get bytes(): number { return this.heldBytes; }
  get queuedEvents(): number { return this.queuedE; }
  get queuedBytes(): number { return this.queuedB; }
  get waitingPushes(): number { return this.waiters.length; }
  get oldestQueuedAt(): number | undefined { return this.queuedE > 0 ? this.metas[this.readIdx]?.pushedAt : undefined; }

  get fill(): number {
    const b = this.heldBytes / this.maxBytes;
    return this.maxEvents === undefined ? b : Math.max(b, this.heldEvents / this.maxEvents);
  }

  push(events: Event[], finalizer?: Finalizer): Promise<number> {
    if (this.closed) return Promise.reject(new EdgetailError('SHUTDOWN', 'buffer is closed'));
    if (events.length === 0) {
      finalizer?.release('delivered');
      return Promise.resolve(0);
    }
    const bytes = sizeOf(events);
    if (this.whenFull === 'drop_newest') return this.pushOrDrop(events, bytes, finalizer);
    if (this.waiters.length === 0 && this.fits(events.length, bytes)) return this.admit(events, bytes, finalizer, 0);
    return new Promise<number>((resolve, reject) => {
      this.waiters.push({ events, bytes, finalizer, resolve, reject });
    });
  }

  take(maxEvents: number, maxBytes: number): Chunk | null {
    if (this.queuedE === 0) return null;
    if (maxEvents < 1) maxEvents = 1;
    const out: Event[] = [];
    const metas: RecordMeta[] = [];
    let bytes = 0;
    let skipped = false;
    while (out.length < maxEvents && (bytes < maxBytes || out.length === 0)) {
      const m = this.metas[this.readIdx];
      if (m === undefined) break;
      const evs = this.current ?? this.load(m);
      if (evs === null) {
        this.skip(m);
        skipped = true;
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
    if (skipped) {
      this.advanceFront();
      this.admitWaiters();
    }
    return out.length === 0 ? null : new DiskChunk(out, bytes, metas);
  }

  ack(chunk: Chunk, _status: BatchStatus = 'delivered'): void {
    const c = chunk as DiskChunk;
    if (c.acked) throw new Error('chunk acked twice');
    c.acked = true;
    this.heldEvents -= c.events.length;
    this.heldBytes -= c.bytes;
    for (const m of c.metas) {
      m.pending -= 1;
      if (m.pending === 0 && m.taken === m.count) m.done = true;
    }
    this.advanceFront();
    this.admitWaiters();
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    for (const w of this.waiters.drain()) w.reject(new EdgetailError('SHUTDOWN', 'buffer closed before the events got in'));
    this.wakePause?.();
    this.closing = this.finish();
    return this.closing;
  }

  // ---- writing --------------------------------------------------------------------------------

  /** Block mode: whole pushes only; anything fits into an empty buffer. */
  private fits(n: number, bytes: number): boolean {
    if (this.heldEvents === 0) return true;
    if (this.maxEvents !== undefined && this.heldEvents + n > this.maxEvents) return false;
    return this.heldBytes + bytes <= this.maxBytes;
  }

  /** Reserves room and queues the record; resolves once it is written (under the sync policy). */
  private admit(events: Event[], bytes: number, finalizer: Finalizer | undefined, dropped: number): Promise<number> {
    this.heldEvents += events.length;
    this.heldBytes += bytes;
    let record: Buffer;
    try {
      record = encodeRecord(events, bytes);
    } catch (err) {
      this.heldEvents -= events.length;
      this.heldBytes -= bytes;
      return Promise.reject(new EdgetailError('ENCODE_FAILED', `disk buffer could not encode the batch: ${errorMessage(err)}`));
    }
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ record, events, bytes, finalizer, dropped, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        this.flushing = this.flushLoop();
      }
    });
  }

  private admitWaiters(): void {
    for (let w = this.waiters.peek(); w !== undefined && !this.closed && this.fits(w.events.length, w.bytes); w = this.waiters.peek()) {
      this.waiters.shift();
      this.admit(w.events, w.bytes, w.finalizer, 0).then(w.resolve, w.reject);
    }
  }

  /** drop_newest: admit the longest prefix that fits (at least one event into an empty buffer). */
  private pushOrDrop(events: Event[], bytes: number, finalizer: Finalizer | undefined): Promise<number> {
    const roomEvents = this.maxEvents === undefined ? Infinity : this.maxEvents - this.heldEvents;
    const roomBytes = this.maxBytes - this.heldBytes;
    if (events.length <= roomEvents && bytes <= roomBytes) return this.admit(events, bytes, finalizer, 0);
    let k = 0;
    let kBytes = 0;
    const limit = Math.min(events.length, Math.max(0, roomEvents));
    while (k < limit && kBytes + events[k]!.size <= roomBytes) kBytes += events[k++]!.size;
    if (k === 0 && this.heldEvents === 0) {
      kBytes = events[0]!.size;
      k = 1;
    }
    const dropped = events.length - k;
    if (k === 0) {
      finalizer?.release('dropped');
      return Promise.resolve(dropped);
    }
    if (finalizer) {
      // The dropped tail's share: marks the batch 'dropped' without ending the admitted part's reference.
      finalizer.retain();
      finalizer.release('dropped');
    }
    return this.admit(events.slice(0, k), kBytes, finalizer, dropped);
  }

  /** Writes queued records in groups (one write + one fsync per group); retries failures with backoff. */
  private async flushLoop(): Promise<void> {
    let delay = this.retryInitialMs;
    for (;;) {
      if (this.pending.length === 0) {
        this.writing = false; // in the same turn as the check: a push cannot slip in between
        return;
      }
      const group = this.pending;
      this.pending = [];
      let positions: Position[] | undefined;
      while (positions === undefined) {
        try {
          positions = await this.writer.write(group.map((g) => g.record));
        } catch (err) {
          if (!this.closed) {
            this.problem = `disk buffer write failed: ${errorMessage(err)}`;
            this.logger.error({ err: errorMessage(err), dir: this.dir, retry_ms: delay }, 'disk buffer write failed; pushes wait and the write is retried');
            await this.pause(delay);
            delay = Math.min(delay * 2, this.retryMaxMs);
          }
          if (this.closed) {
            this.fail(group);
            this.fail(this.pending);
            this.pending = [];
            this.writing = false;
            return;
          }
        }
      }
      if (this.problem !== undefined) this.logger.info({ dir: this.dir }, 'disk buffer writes recovered');
      this.problem = undefined;
      delay = this.retryInitialMs;
      this.commit(group, positions);
    }
  }

  private commit(group: PendingWrite[], positions: Position[]): void {
    const pushedAt = this.now();
    for (let i = 0; i < group.length; i++) {
      const g = group[i]!;
      const pos = positions[i]!;
      let cached: Event[] | undefined;
      if (this.cacheBytes + g.bytes <= this.cacheLimit) {
        cached = g.events;
        this.cacheBytes += g.bytes;
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

  private fail(group: PendingWrite[]): void {
    for (const g of group) {
      this.heldEvents -= g.events.length;
      this.heldBytes -= g.bytes;
      g.reject(new EdgetailError('SHUTDOWN', 'buffer closed before the events were written'));
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakePause = done;
    });
  }

  // ---- reading --------------------------------------------------------------------------------

  /** The record's events, from the cache or read back and CRC-checked; null when corrupt. */
  private load(m: RecordMeta): Event[] | null {
    if (m.cached) return m.cached;
    const r = this.reader.read(m.segment, m.offset, m.length, m.count);
    return typeof r === 'string' ? this.corrupt(m.segment, m.offset, m.length, r) : r;
  }

  /** A record that cannot be read: its events are gone; free their room and move on. */
  private skip(m: RecordMeta): void {
    const restEvents = m.count - m.taken;
    this.queuedE -= restEvents;
    this.heldEvents -= restEvents;
    if (m.taken === 0) {
      this.queuedB -= m.bytes;
      this.heldBytes -= m.bytes;
    }
    m.taken = m.count;
    if (m.pending === 0) m.done = true;
    this.nextRecord(m);
  }

  private nextRecord(m: RecordMeta): void {
    this.readIdx += 1;
    this.current = undefined;
    if (m.cached) {
      this.cacheBytes -= m.bytes;
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
    this.ledgerDirty = true;
    if (!this.persisting) {
      this.persisting = true;
      this.ledgerWriting = this.persistLoop();
    }
  }

  private state(): LedgerState {
    const ack = this.metas[this.head] ?? this.committedEnd;
    const read = this.metas[this.readIdx] ?? this.committedEnd;
    return { version: 1, ack: { segment: ack.segment, offset: ack.offset }, read: { segment: read.segment, offset: read.offset } };
  }

  private async persistLoop(): Promise<void> {
    for (;;) {
      if (!this.ledgerDirty || this.finished) {
        this.persisting = false;
        return;
      }
      this.ledgerDirty = false;
      const state = this.state();
      try {
        await writeLedger(this.dir, state);
        await this.deleteBefore(state.ack.segment);
      } catch (err) {
        this.logger.warn({ err: errorMessage(err), dir: this.dir }, 'disk buffer ledger write failed; will retry on the next acknowledgement');
        this.persisting = false;
        return;
      }
    }
  }

  /** Deletes segments wholly before the persisted ack position. */
  private async deleteBefore(segment: number): Promise<void> {
    while (this.oldestSegment < segment) {
      const id = this.oldestSegment++;
      this.reader.closeSegment(id);
      await unlink(segmentPath(this.dir, id)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') this.logger.warn({ err: errorMessage(err), segment: segmentName(id) }, 'disk buffer: segment could not be deleted');
      });
    }
  }

  private async finish(): Promise<void> {
    await this.flushing;
    await this.writer.close().catch((err: unknown) => this.logger.error({ err: errorMessage(err), dir: this.dir }, 'disk buffer: closing the segment failed'));
    await this.ledgerWriting;
    this.finished = true;
    try {
      writeLedgerSync(this.dir, this.state());
    } catch (err) {
      this.logger.warn({ err: errorMessage(err), dir: this.dir }, 'disk buffer ledger write failed at close');
    }
    this.reader.closeAll();
  }
}
