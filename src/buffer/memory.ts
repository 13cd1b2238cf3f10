/**
 * The memory buffer: a FIFO of pushed batches, bounded by max_events (default
 * DEFAULT_MEMORY_BUFFER_EVENTS) and optionally max_bytes. Finalizers are released on ack(), i.e.
 * only once the endpoint took the events (or they were dead-lettered or dropped by policy).
 * Batches stay whole in the queue; take() slices them without copying more than the chunk.
 */
import type { Event } from '../core/event.js';
import type { BatchStatus, Finalizer } from '../core/finalizer.js';
import { EdgetailError } from '../core/errors.js';
import { DEFAULT_MEMORY_BUFFER_EVENTS } from '../delivery/config.js';
import { Queue } from './queue.js';
import type { Chunk, SinkBuffer, WhenFull } from './types.js';

export interface MemoryBufferOptions {
  max_events?: number;
  max_bytes?: number;
  when_full?: WhenFull;
  /** Clock for oldestQueuedAt (ms); the runner passes its own so that both agree. */
  now?: () => number;
}

/** A pushed batch; `offset` is how much of it was already taken. */
interface Entry {
  events: Event[];
  offset: number;
  /** Bytes of events[offset..]. */
  bytes: number;
  /** The one reference this entry owns; handed to the chunk that takes its last event. */
  finalizer: Finalizer | undefined;
  pushedAt: number;
}

interface Waiter {
  events: Event[];
  bytes: number;
  finalizer: Finalizer | undefined;
  resolve: (dropped: number) => void;
  reject: (err: Error) => void;
}

class MemoryChunk implements Chunk {
  acked = false;
  constructor(
    readonly events: Event[],
    readonly bytes: number,
    readonly finalizers: Finalizer[],
  ) {}
}

export function sizeOf(events: readonly Event[]): number {
  let bytes = 0;
  for (let i = 0; i < events.length; i++) bytes += events[i]!.size;
  return bytes;
}

export class MemoryBuffer implements SinkBuffer {
  readonly kind = 'memory';
  readonly maxEvents: number;
  readonly maxBytes: number | undefined;
  readonly whenFull: WhenFull;
  private readonly now: () => number;
  private readonly queue = new Queue<Entry>();
  private readonly waiters = new Queue<Waiter>();
  private heldEvents = 0;
  private heldBytes = 0;
  private queuedE = 0;
  private queuedB = 0;
  private closed = false;

  constructor(opts: MemoryBufferOptions = {}) {
    this.maxEvents = opts.max_events ?? DEFAULT_MEMORY_BUFFER_EVENTS;
    this.maxBytes = opts.max_bytes;
    this.whenFull = opts.when_full ?? 'block';
    this.now = opts.now ?? (() => performance.now());
  }

  get events(): number { return this.heldEvents; }
  get bytes(): number { return this.heldBytes; }
  get queuedEvents(): number { return this.queuedE; }
  get queuedBytes(): number { return this.queuedB; }
  get waitingPushes(): number { return this.waiters.length; }
  get oldestQueuedAt(): number | undefined { return this.queue.peek()?.pushedAt; }

  get fill(): number {
    const e = this.heldEvents / this.maxEvents;
    return this.maxBytes === undefined ? e : Math.max(e, this.heldBytes / this.maxBytes);
  }

  push(events: Event[], finalizer?: Finalizer): Promise<number> {
    if (this.closed) return Promise.reject(new EdgetailError('SHUTDOWN', 'buffer is closed'));
    if (events.length === 0) {
      finalizer?.release('delivered');
      return Promise.resolve(0);
    }
    const bytes = sizeOf(events);
    if (this.whenFull === 'drop_newest') return Promise.resolve(this.pushOrDrop(events, bytes, finalizer));
    if (this.waiters.length === 0 && this.fits(events.length, bytes)) {
      this.admit(events, bytes, finalizer);
      return Promise.resolve(0);
    }
    return new Promise<number>((resolve, reject) => {
      this.waiters.push({ events, bytes, finalizer, resolve, reject });
    });
  }

  take(maxEvents: number, maxBytes: number): Chunk | null {
    if (this.queuedE === 0) return null;
    if (maxEvents < 1) maxEvents = 1;
    const out: Event[] = [];
    const finalizers: Finalizer[] = [];
    let bytes = 0;
    let whole: Event[] | undefined; // the chunk is exactly one untouched pushed batch: reuse its array
    for (let entry = this.queue.peek(); entry !== undefined; entry = this.queue.peek()) {
      const roomEvents = maxEvents - out.length;
      const remaining = entry.events.length - entry.offset;
      if (roomEvents <= 0) break;
      if (remaining <= roomEvents && (bytes + entry.bytes <= maxBytes || out.length === 0 && remaining === 1)) {
        // The rest of this entry fits: take all of it and its own finalizer reference.
        if (out.length === 0 && entry.offset === 0) whole = entry.events;
        for (let i = entry.offset; i < entry.events.length; i++) out.push(entry.events[i]!);
        bytes += entry.bytes;
        if (entry.finalizer) finalizers.push(entry.finalizer);
        this.queue.shift();
        continue;
      }
      // Part of this entry: as many events as fit (at least one if the chunk is still empty).
      const start = entry.offset;
      let i = start;
      let taken = 0;
      const limit = Math.min(entry.events.length, start + roomEvents);
      while (i < limit) {
        const size = entry.events[i]!.size;
        if (bytes + size > maxBytes && out.length > 0) break;
        out.push(entry.events[i]!);
        bytes += size;
        taken += size;
        i++;
      }
      if (i === entry.events.length) {
        if (entry.finalizer) finalizers.push(entry.finalizer);
        this.queue.shift();
      } else if (i > start) {
        entry.offset = i;
        entry.bytes -= taken;
        if (entry.finalizer) {
          entry.finalizer.retain();
          finalizers.push(entry.finalizer);
        }
      }
      break;
    }
    this.queuedE -= out.length;
    this.queuedB -= bytes;
    return new MemoryChunk(whole !== undefined && whole.length === out.length ? whole : out, bytes, finalizers);
  }

  ack(chunk: Chunk, status: BatchStatus = 'delivered'): void {
    const c = chunk as MemoryChunk;
    if (c.acked) throw new Error('chunk acked twice');
    c.acked = true;
    this.heldEvents -= c.events.length;
    this.heldBytes -= c.bytes;
    for (const f of c.finalizers) f.release(status);
    this.admitWaiters();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.drain()) w.reject(new EdgetailError('SHUTDOWN', 'buffer closed before the events got in'));
  }

  /** Block mode: whole pushes only; anything fits into an empty buffer. */
  private fits(n: number, bytes: number): boolean {
    if (this.heldEvents === 0) return true;
    if (this.heldEvents + n > this.maxEvents) return false;
    return this.maxBytes === undefined || this.heldBytes + bytes <= this.maxBytes;
  }

  private admit(events: Event[], bytes: number, finalizer: Finalizer | undefined): void {
    this.queue.push({ events, offset: 0, bytes, finalizer, pushedAt: this.now() });
    this.heldEvents += events.length;
    this.heldBytes += bytes;
    this.queuedE += events.length;
    this.queuedB += bytes;
  }

  private admitWaiters(): void {
    for (let w = this.waiters.peek(); w !== undefined && this.fits(w.events.length, w.bytes); w = this.waiters.peek()) {
      this.waiters.shift();
      this.admit(w.events, w.bytes, w.finalizer);
      w.resolve(0);
    }
  }

  /** drop_newest: admit the longest prefix that fits (at least one event into an empty buffer). */
  private pushOrDrop(events: Event[], bytes: number, finalizer: Finalizer | undefined): number {
    const roomEvents = this.maxEvents - this.heldEvents;
    const roomBytes = this.maxBytes === undefined ? Infinity : this.maxBytes - this.heldBytes;
    if (events.length <= roomEvents && bytes <= roomBytes) {
      this.admit(events, bytes, finalizer);
      return 0;
    }
    let k = 0;
    let kBytes = 0;
    const limit = Math.min(events.length, Math.max(0, roomEvents));
    while (k < limit && kBytes + events[k]!.size <= roomBytes) {
      kBytes += events[k]!.size;
      k++;
    }
    if (k === 0 && this.heldEvents === 0) {
      kBytes = events[0]!.size;
      k = 1;
    }
    const dropped = events.length - k;
    if (k === 0) {
      finalizer?.release('dropped');
      return dropped;
    }
    if (finalizer) {
      // The dropped tail's share: marks the batch 'dropped' without ending the admitted part's reference.
      finalizer.retain();
      finalizer.release('dropped');
    }
    this.admit(events.slice(0, k), kBytes, finalizer);
    return dropped;
  }
}
