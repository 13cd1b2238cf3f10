/**
 * Per-partition commit ordering. Each emitted batch is registered (in fetch order) with its last
 * offset; when its finalizer fires it is marked done, and the partition's committable offset advances
 * over the done prefix only: a later batch finalizing first never lets a commit skip an earlier,
 * unfinalized one.
 */
interface Pending {
  next: string;
  done: boolean;
}

export interface CommitPoint {
  topic: string;
  partition: number;
  /** The next offset to consume (last finalized offset + 1), as Kafka commits it. */
  offset: string;
}

export class CommitTracker {
  private readonly queues = new Map<string, { topic: string; partition: number; items: Pending[] }>();
  /** Committable offsets not yet handed to commit(), keyed by topic/partition. */
  private readonly ready = new Map<string, CommitPoint>();
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];

  /** Registers a batch ending at `lastOffset`; the returned function marks it finalized. */
  register(topic: string, partition: number, lastOffset: string): () => void {
    const key = `${topic}\u0000${partition}`;
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = { topic, partition, items: [] }));
    const item: Pending = { next: (BigInt(lastOffset) + 1n).toString(), done: false };
    q.items.push(item);
    this.inFlight++;
    const queue = q;
    return () => {
      if (item.done) return;
      item.done = true;
      this.inFlight--;
      let advanced: string | undefined;
      while (queue.items.length > 0 && queue.items[0]!.done) advanced = queue.items.shift()!.next;
      if (advanced !== undefined) this.ready.set(key, { topic: queue.topic, partition: queue.partition, offset: advanced });
      if (this.inFlight === 0) {
        const w = this.idleWaiters;
        this.idleWaiters = [];
        for (const f of w) f();
      }
    };
  }

  /** Takes the offsets that became committable since the last call. */
  take(): CommitPoint[] {
    if (this.ready.size === 0) return [];
    const out = [...this.ready.values()];
    this.ready.clear();
    return out;
  }

  /** Puts back offsets whose commit failed (unless a newer one is already waiting). */
  putBack(points: readonly CommitPoint[]): void {
    for (const p of points) {
      const key = `${p.topic}\u0000${p.partition}`;
      if (!this.ready.has(key)) this.ready.set(key, p);
    }
  }

  get pending(): number {
    return this.inFlight;
  }

  /** Resolves when no registered batch is waiting for its finalizer, or after timeoutMs. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((f) => f !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }
}
