/**
 * The memory buffer: a FIFO of pushed batches, bounded by max_events (default
 * DEFAULT_MEMORY_BUFFER_EVENTS) and optionally max_bytes. Finalizers are released on ack(), i.e.
 * only once the endpoint took the events (or they were dead-lettered or dropped by policy).
 * Batches stay whole in the queue; take() slices them without copying more than the chunk.
 */
import type { Event } from '../core/event.js';
import type { BatchStatus, Finalizer } from '../core/finalizer.js';
import { DEFAULT_MEMORY_BUFFER_EVENTS } from '../delivery/config.js';
import { Admission } from './admission.js';
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

class MemoryChunk implements Chunk {
  acked = false;
  constructor(
    readonly events: Event[],
    readonly bytes: number,
    readonly finalizers: Finalizer[],
  ) {}
}

export class MemoryBuffer implements SinkBuffer {
  readonly kind = 'memory';
  readonly maxEvents: number;
  readonly maxBytes: number | undefined;
  readonly whenFull: WhenFull;
  private readonly now: () => number;
  private readonly queue = new Queue<Entry>();
  private readonly admission: Admission;
  private queuedE = 0;
  private queuedB = 0;

  constructor(opts: MemoryBufferOptions = {}) {
    this.maxEvents = opts.max_events ?? DEFAULT_MEMORY_BUFFER_EVENTS;
    this.maxBytes = opts.max_bytes;
    this.whenFull = opts.when_full ?? 'block';
    this.now = opts.now ?? (() => performance.now());
    this.admission = new Admission({ maxEvents: this.maxEvents, maxBytes: this.maxBytes, whenFull: this.whenFull }, (events, bytes, finalizer, dropped) => {
      this.queue.push({ events, offset: 0, bytes, finalizer, pushedAt: this.now() });
      this.queuedE += events.length;
      this.queuedB += bytes;
      return dropped;
    });
  }

  get events(): number { return this.admission.heldEvents; }
  get bytes(): number { return this.admission.heldBytes; }
  get queuedEvents(): number { return this.queuedE; }
  get queuedBytes(): number { return this.queuedB; }
  get waitingPushes(): number { return this.admission.waiting; }
  get oldestQueuedAt(): number | undefined { return this.queue.peek()?.pushedAt; }
  get fill(): number { return this.admission.fill; }

  push(events: Event[], finalizer?: Finalizer): Promise<number> {
    return this.admission.push(events, finalizer);
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
    for (const f of c.finalizers) f.release(status);
    this.admission.release(c.events.length, c.bytes);
  }

  async close(): Promise<void> {
    this.admission.close();
  }
}
