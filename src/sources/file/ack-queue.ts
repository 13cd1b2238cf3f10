/**
 * Per-file ordered queue of emitted batches. Batches may be finalized out of order; the committed
 * offset only moves to the end of the longest finalized prefix, so a checkpoint never skips a batch
 * that some sink has not taken yet.
 */

interface Pending {
  end: number;
  done: boolean;
}

export class AckQueue {
  private readonly queue: Pending[] = [];
  private head = 0;
  /** File offset up to which every line has been finalized. */
  committed: number;
  /** Called whenever `committed` moves. */
  onCommit: (() => void) | undefined;

  constructor(committed: number) {
    this.committed = committed;
  }

  get inFlight(): number {
    return this.queue.length - this.head;
  }

  /** Registers a batch ending at `end`; the returned function marks it finalized (call once). */
  add(end: number): () => void {
    const entry: Pending = { end, done: false };
    this.queue.push(entry);
    return () => {
      entry.done = true;
      this.advance();
    };
  }

  /** Progress that needs no acknowledgement (e.g. only empty lines were read). */
  skip(end: number): void {
    if (this.inFlight === 0) {
      if (end > this.committed) {
        this.committed = end;
        this.onCommit?.();
      }
      return;
    }
    this.queue.push({ end, done: true });
  }

  /** Forgets the batch added last (its emit failed; the lines will be read and added again). */
  cancelLast(): void {
    if (this.queue.length > this.head) this.queue.pop();
  }

  private advance(): void {
    const q = this.queue;
    let moved = false;
    while (this.head < q.length && q[this.head]!.done) {
      const end = q[this.head]!.end;
      if (end > this.committed) this.committed = end;
      this.head += 1;
      moved = true;
    }
    if (this.head > 1024 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
    if (moved) this.onCommit?.();
  }
}
