/**
 * Keeps the ledger on disk up to date with the buffer's acknowledgements: one write at a time
 * (coalescing whatever was acknowledged meanwhile), then deletes the segments wholly before the
 * ack position. A failed ledger write is logged and retried on the next acknowledgement; an older
 * ledger only means more re-sends after a restart, never loss. Segments wholly before the ack
 * position are deleted even when the ledger write failed (every record in them is acknowledged, and
 * an older ledger pointing into a deleted segment just resumes at the next one): on a full disk that
 * deletion is what frees the space for the ledger and the buffer's next write.
 */
import { unlink } from 'node:fs/promises';
import type { Logger } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import { writeLedger, writeLedgerSync, type LedgerState } from './ledger.js';
import type { SegmentReader } from './reader.js';
import { segmentName, segmentPath } from './segments.js';

export class LedgerKeeper {
  private dirty = false;
  private persisting = false;
  private loop: Promise<void> | undefined;
  private finished = false;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly reader: SegmentReader,
    /** The oldest segment id still on disk. */
    private oldestSegment: number,
    private readonly state: () => LedgerState,
    /** Called after segments were deleted (space was freed). */
    private readonly onDeleted: () => void,
  ) {}

  /** The ack position moved: persist it (soon, asynchronously). */
  changed(): void {
    this.dirty = true;
    if (!this.persisting) {
      this.persisting = true;
      this.loop = this.run();
    }
  }

  /** Waits for the write in progress, then writes the final state synchronously. */
  async finish(): Promise<void> {
    await this.loop;
    this.finished = true;
    try {
      writeLedgerSync(this.dir, this.state());
    } catch (err) {
      this.logger.warn({ err: errorMessage(err), dir: this.dir }, 'disk buffer ledger write failed at close');
    }
  }

  private async run(): Promise<void> {
    for (;;) {
      if (!this.dirty || this.finished) {
        this.persisting = false;
        return;
      }
      this.dirty = false;
      const state = this.state();
      let failed = false;
      try {
        await writeLedger(this.dir, state);
      } catch (err) {
        this.logger.warn({ err: errorMessage(err), dir: this.dir }, 'disk buffer ledger write failed; will retry on the next acknowledgement');
        failed = true;
      }
      if (await this.deleteBefore(state.ack.segment)) this.onDeleted();
      if (failed) {
        this.persisting = false;
        return;
      }
    }
  }

  /** Deletes segments wholly before the ack position; true when any was deleted. */
  private async deleteBefore(segment: number): Promise<boolean> {
    const before = this.oldestSegment;
    while (this.oldestSegment < segment) {
      const id = this.oldestSegment++;
      this.reader.closeSegment(id);
      await unlink(segmentPath(this.dir, id)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') this.logger.warn({ err: errorMessage(err), segment: segmentName(id) }, 'disk buffer: segment could not be deleted');
      });
    }
    return this.oldestSegment > before;
  }
}
