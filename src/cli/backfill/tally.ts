/**
 * What a backfill has done so far, shared by its one-shot sources, the progress display and the
 * closing summary. Batch outcomes come from the sources' finalizers: a batch counts as delivered
 * only when every sink it reached has acknowledged it.
 */
import type { BatchStatus } from '../../core/finalizer.js';

export class Tally {
  bytesTotal = 0;
  bytesRead = 0;
  lines = 0;
  /** Events per outcome of their batch's finalizer. */
  readonly events: Record<BatchStatus, number> = { delivered: 0, dropped: 0, errored: 0 };
  /** Events emitted whose finalizer has not completed yet. */
  pendingEvents = 0;
  /** Files that could not be read to the end (missing, unreadable, corrupt gzip). */
  readonly failedFiles: Array<{ path: string; reason: string }> = [];
  readonly startedAt = Date.now();

  /** Called when a batch of `n` events is handed downstream; returns its finalizer callback. */
  track(n: number): (status: BatchStatus) => void {
    this.pendingEvents += n;
    return (status) => {
      this.pendingEvents -= n;
      this.events[status] += n;
    };
  }
}
