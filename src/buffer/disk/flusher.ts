/**
 * The disk buffer's write queue: admitted records wait here and are written in groups (one write
 * and one fsync per group, so concurrent pushes share them). A failed write (disk full, I/O error)
 * is retried with backoff while the pushes keep waiting — the sources are back-pressured, nothing
 * is lost — and `problem` says why until a write succeeds. After close(), a group that cannot be
 * written is failed instead of retried (its pushes are rejected; the sources re-read them).
 */
import type { Logger } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import type { Position } from './ledger.js';
import type { PendingWrite } from './options.js';
import type { SegmentWriter } from './writer.js';

export interface FlusherOptions {
  dir: string;
  logger: Logger;
  writer: SegmentWriter;
  retryInitialMs: number;
  retryMaxMs: number;
  /** The group is written at `positions` (under the sync policy). */
  onCommit: (group: PendingWrite[], positions: Position[]) => void;
  /** The group will never be written (closed while failing). */
  onFail: (group: PendingWrite[]) => void;
  /** A write failed (nothing of it is on disk); it is retried after a backoff or retryNow(). */
  onWriteError: () => void;
}

export class Flusher {
  /** Why writes are failing right now; undefined when healthy. */
  problem: string | undefined;
  private pending: PendingWrite[] = [];
  private writing = false;
  private loop: Promise<void> | undefined;
  private wakePause: (() => void) | undefined;
  private closed = false;

  constructor(private readonly o: FlusherOptions) {}

  enqueue(w: PendingWrite): void {
    this.pending.push(w);
    if (!this.writing) {
      this.writing = true;
      this.loop = this.run();
    }
  }

  /** Ends the current backoff sleep (space was freed): the failed write is retried at once. */
  retryNow(): void {
    this.wakePause?.();
  }

  /** Stops retrying; resolves once every queued record was written or failed. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakePause?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { writer, logger, dir } = this.o;
    let delay = this.o.retryInitialMs;
    for (;;) {
      if (this.pending.length === 0) {
        this.writing = false; // in the same turn as the check: an enqueue cannot slip in between
        return;
      }
      const group = this.pending;
      this.pending = [];
      let positions: Position[] | undefined;
      while (positions === undefined) {
        try {
          positions = await writer.write(group.map((g) => g.record));
        } catch (err) {
          this.o.onWriteError();
          if (!this.closed) {
            this.problem = `disk buffer write failed: ${errorMessage(err)}`;
            logger.error({ err: errorMessage(err), dir, retry_ms: delay }, 'disk buffer write failed; pushes wait and the write is retried');
            await this.pause(delay);
            delay = Math.min(delay * 2, this.o.retryMaxMs);
          }
          if (this.closed) {
            const rest = this.pending;
            this.pending = [];
            this.writing = false;
            this.o.onFail(group);
            this.o.onFail(rest);
            return;
          }
        }
      }
      if (this.problem !== undefined) logger.info({ dir }, 'disk buffer writes recovered');
      this.problem = undefined;
      delay = this.o.retryInitialMs;
      this.o.onCommit(group, positions);
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
}
