/**
 * Keeps the ledger on disk up to date with the buffer's acknowledgements: one write at a time
 * (coalescing whatever was acknowledged meanwhile), then deletes the segments wholly before the
 * persisted ack position. A failed ledger write is logged and retried on the next acknowledgement;
 * an older ledger only means more re-sends after a restart, never loss.
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
      try {
        await writeLedger(this.dir, state);
        await this.deleteBefore(state.ack.segment);
      } catch (err) {
        this.logger.warn({ err: errorMessage(err), dir: this.dir }, 'disk buffer ledger write failed; will retry on the next acknowledgement');
        this.persisting = false;
        return;
      }
    }
  }

  /** Deletes segments wholly before the persisted ack position. */
  private async deleteBefore(segment: number): Promise<void> {
    while (this.oldestSegment < segment) {
      const id = this.oldestSegment++;
      this.reader.closeSegment(id);
      await unlink(segmentPath(this.dir, id)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') this.logger.warn({ err: errorMessage(err), segment: segmentName(id) }, 'disk buffer: segment could not be deleted');
      });
    }
  }
}
