/**
 * End-to-end acknowledgement. A source attaches one Finalizer to every batch it emits; the topology
 * retains it once per sink the batch fans out to, and each sink releases its reference when the
 * events are delivered (memory buffer), durably written (disk buffer), dead-lettered or dropped by
 * policy. When the last reference is released the source's callback runs with the worst status seen,
 * and only then may the source advance its checkpoint (file offset, Kafka offset, HTTP 200).
 */

/** Ordered by severity: the finalizer reports the worst status any holder released with. */
export type BatchStatus = 'delivered' | 'dropped' | 'errored';

const severity: Record<BatchStatus, number> = { delivered: 0, dropped: 1, errored: 2 };

export class Finalizer {
  private refs = 1;
  private status: BatchStatus = 'delivered';
  private readonly onDone: ((status: BatchStatus) => void) | undefined;

  /** Starts with one reference, held by the creator (the source's emit). */
  constructor(onDone?: (status: BatchStatus) => void) {
    this.onDone = onDone;
  }

  /** Adds references (one per additional holder, e.g. each piece of a split batch). */
  retain(n = 1): void {
    if (this.refs <= 0) throw new Error('Finalizer.retain after completion');
    this.refs += n;
  }

  release(status: BatchStatus = 'delivered'): void {
    if (this.refs <= 0) throw new Error('Finalizer released more times than retained');
    if (severity[status] > severity[this.status]) this.status = status;
    this.refs -= 1;
    if (this.refs === 0 && this.onDone) this.onDone(this.status);
  }

  get done(): boolean {
    return this.refs === 0;
  }

  get pending(): number {
    return this.refs;
  }
}

/** A finalizer nobody waits on (events from sources without acknowledgement). */
export function detachedFinalizer(): Finalizer {
  return new Finalizer();
}
