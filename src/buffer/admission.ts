/**
 * The admission policy both sink buffers share: how much a buffer holds (queued plus in flight),
 * whether a push fits, `when_full: block` (FIFO waiters, admitted as acks free room; anything fits
 * into an empty buffer, so an oversized push never deadlocks) and `when_full: drop_newest` (the
 * longest prefix that fits is admitted, the tail dropped and its finalizer share released as
 * 'dropped'). What "admitting" means is the buffer's business: the memory buffer queues the batch,
 * the disk buffer writes it; `enter` is called with the room already reserved.
 */
import type { Event } from '../core/event.js';
import type { Finalizer } from '../core/finalizer.js';
import { EdgetailError } from '../core/errors.js';
import { Queue } from './queue.js';
import type { WhenFull } from './types.js';

/**
 * Takes an admitted batch (its room is reserved) with ownership of the finalizer reference;
 * returns (or resolves to) `dropped`, the number of events of the push that were dropped.
 */
export type Enter = (events: Event[], bytes: number, finalizer: Finalizer | undefined, dropped: number) => number | Promise<number>;

export interface AdmissionLimits {
  /** Unbounded when undefined. */
  maxEvents: number | undefined;
  /** Unbounded when undefined. */
  maxBytes: number | undefined;
  whenFull: WhenFull;
}

interface Waiter {
  events: Event[];
  bytes: number;
  finalizer: Finalizer | undefined;
  resolve: (dropped: number) => void;
  reject: (err: Error) => void;
}

export function sizeOf(events: readonly Event[]): number {
  let bytes = 0;
  for (let i = 0; i < events.length; i++) bytes += events[i]!.size;
  return bytes;
}

export class Admission {
  /** Events / bytes held: reserved by admitted pushes until release(). */
  heldEvents = 0;
  heldBytes = 0;
  private readonly waiters = new Queue<Waiter>();
  private closed = false;

  constructor(
    readonly limits: AdmissionLimits,
    private readonly enter: Enter,
  ) {}

  get waiting(): number {
    return this.waiters.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** 0..1 (more after an oversized push): the fuller of events/max_events and bytes/max_bytes. */
  get fill(): number {
    const { maxEvents, maxBytes } = this.limits;
    const e = maxEvents === undefined ? 0 : this.heldEvents / maxEvents;
    return maxBytes === undefined ? e : Math.max(e, this.heldBytes / maxBytes);
  }

  /** The SinkBuffer.push contract (src/buffer/types.ts). */
  push(events: Event[], finalizer: Finalizer | undefined): Promise<number> {
    if (this.closed) return Promise.reject(new EdgetailError('SHUTDOWN', 'buffer is closed'));
    if (events.length === 0) {
      finalizer?.release('delivered');
      return Promise.resolve(0);
    }
    const bytes = sizeOf(events);
    if (this.limits.whenFull === 'drop_newest') return this.pushOrDrop(events, bytes, finalizer);
    if (this.waiters.length === 0 && this.fits(events.length, bytes)) return settle(this.admit(events, bytes, finalizer, 0));
    return new Promise<number>((resolve, reject) => {
      this.waiters.push({ events, bytes, finalizer, resolve, reject });
    });
  }

  /** Frees room (acked, skipped or never written) and admits the waiting pushes that now fit. */
  release(events: number, bytes: number): void {
    this.heldEvents -= events;
    this.heldBytes -= bytes;
    for (let w = this.waiters.peek(); w !== undefined && !this.closed && this.fits(w.events.length, w.bytes); w = this.waiters.peek()) {
      this.waiters.shift();
      let r: number | Promise<number>;
      try {
        r = this.admit(w.events, w.bytes, w.finalizer, 0);
      } catch (err) {
        w.reject(err as Error);
        continue;
      }
      if (typeof r === 'number') w.resolve(r);
      else r.then(w.resolve, w.reject);
    }
  }

  /** Refuses new pushes and rejects the waiting ones with SHUTDOWN (their finalizers untouched). */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.drain()) w.reject(new EdgetailError('SHUTDOWN', 'buffer closed before the events got in'));
  }

  /** Block mode: whole pushes only; anything fits into an empty buffer. */
  private fits(n: number, bytes: number): boolean {
    if (this.heldEvents === 0) return true;
    const { maxEvents, maxBytes } = this.limits;
    if (maxEvents !== undefined && this.heldEvents + n > maxEvents) return false;
    return maxBytes === undefined || this.heldBytes + bytes <= maxBytes;
  }

  private admit(events: Event[], bytes: number, finalizer: Finalizer | undefined, dropped: number): number | Promise<number> {
    this.heldEvents += events.length;
    this.heldBytes += bytes;
    return this.enter(events, bytes, finalizer, dropped);
  }

  /** drop_newest: admit the longest prefix that fits (at least one event into an empty buffer). */
  private pushOrDrop(events: Event[], bytes: number, finalizer: Finalizer | undefined): Promise<number> {
    const { maxEvents, maxBytes } = this.limits;
    const roomEvents = maxEvents === undefined ? Infinity : maxEvents - this.heldEvents;
    const roomBytes = maxBytes === undefined ? Infinity : maxBytes - this.heldBytes;
    if (events.length <= roomEvents && bytes <= roomBytes) return settle(this.admit(events, bytes, finalizer, 0));
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
    return settle(this.admit(events.slice(0, k), kBytes, finalizer, dropped));
  }
}

function settle(r: number | Promise<number>): Promise<number> {
  return typeof r === 'number' ? Promise.resolve(r) : r;
}
