/**
 * The sink buffer contract. Every sink runner (src/delivery/runner.ts) puts what it accepts into one
 * of these and takes batch-sized chunks out. Two implementations are meant to share it:
 *
 * - memory (./memory.ts): a chunk's finalizers are released by ack() once the chunk is delivered,
 *   dead-lettered or dropped — end-to-end acknowledgement waits for the endpoint.
 * - disk (later: segmented log + ledger): push() resolves once the events are durably written and
 *   releases their finalizers then; take() reads from the log and ack() advances the ledger. Chunks
 *   that are never acked (a drain that hit its deadline) are read again after a restart.
 *
 * Sizes are `event.size`. The buffer holds an event from push() until ack(): events that were taken
 * and are in flight still count against the capacity, so max_events / max_bytes bound everything the
 * sink holds in memory.
 */
import type { Event } from '../core/event.js';
import type { BatchStatus, Finalizer } from '../core/finalizer.js';

/** A batch taken out of a buffer: send it, then ack() it exactly once (or never, on abort). */
export interface Chunk {
  readonly events: Event[];
  /** Sum of the events' `size`. */
  readonly bytes: number;
}

export type WhenFull = 'block' | 'drop_newest';

export interface SinkBuffer {
  /** 'memory' | 'disk', for /api/topology. */
  readonly kind: string;
  /**
   * Hands events to the buffer, together with ownership of one reference of `finalizer`: the buffer
   * releases it exactly once (split over pieces as needed) when the events are acked or dropped.
   * Resolves when the events were accepted: with when_full 'block' it waits for room (FIFO among
   * waiting pushes); with 'drop_newest' it never waits and drops the tail that does not fit,
   * releasing that share of the finalizer as 'dropped'. Resolves to the number of events dropped.
   * A push larger than the whole capacity is admitted once the buffer is empty (never a deadlock).
   * Rejects with EdgetailError('SHUTDOWN') when the buffer is closed before the push got in; the
   * finalizer reference is then NOT released (the source re-reads those events after a restart).
   */
  push(events: Event[], finalizer?: Finalizer): Promise<number>;
  /**
   * Takes up to maxEvents events and maxBytes bytes (always at least one event when any is
   * queued, even one larger than maxBytes), oldest first; null when nothing is queued.
   */
  take(maxEvents: number, maxBytes: number): Chunk | null;
  /** Ends a chunk: frees its room and releases its finalizer shares with `status`. */
  ack(chunk: Chunk, status?: BatchStatus): void;
  /** Events / bytes held: queued plus taken-but-not-acked. */
  readonly events: number;
  readonly bytes: number;
  /** Events / bytes queued and not yet taken. */
  readonly queuedEvents: number;
  readonly queuedBytes: number;
  /** When the oldest queued event was pushed (the buffer's clock, ms); undefined when none. */
  readonly oldestQueuedAt: number | undefined;
  /** Pushes waiting for room (when_full: block). */
  readonly waitingPushes: number;
  /** 0..1 (can exceed 1 after an oversized push): the fuller of events/max_events and bytes/max_bytes. */
  readonly fill: number;
  /** Rejects waiting pushes with SHUTDOWN and refuses new ones. Queued events are kept unreleased. */
  close(): Promise<void>;
}
