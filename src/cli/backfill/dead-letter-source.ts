/**
 * The one-shot source of `edgetail backfill --dead-letter`: reads a sink's dead-letter files
 * (src/delivery/dead-letter.ts record shape) and emits their events, rebuilt from the wire objects,
 * straight to that sink (they were transformed before they failed). Lines that are not records
 * are counted and skipped.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Source, SourceContext } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import type { Event } from '../../core/event.js';
import { Finalizer } from '../../core/finalizer.js';
import { wireToEvent } from '../../delivery/dead-letter.js';
import type { Tally } from './tally.js';

const BATCH = 1000;

export class DeadLetterSource implements Source {
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private run: Promise<void> | undefined;
  /** Lines that were not dead-letter records. */
  invalid = 0;

  constructor(
    private readonly files: string[],
    private readonly ctx: SourceContext,
    private readonly tally: Tally,
  ) {
    this.finished = new Promise<void>((r) => (this.resolveFinished = r));
  }

  async start(): Promise<void> {
    for (const f of this.files) this.tally.bytesTotal += (await stat(f)).size;
    this.run = this.readAll().finally(() => this.resolveFinished());
  }

  async stop(): Promise<void> {
    await this.run;
  }

  private async readAll(): Promise<void> {
    for (const file of this.files) {
      if (this.ctx.signal.aborted) return;
      try {
        await this.readFile(file);
      } catch (err) {
        if (this.ctx.signal.aborted) return;
        this.tally.failedFiles.push({ path: file, reason: errorMessage(err) });
        this.ctx.logger.error({ path: file, err: errorMessage(err) }, 'dead-letter file could not be read to the end');
      }
    }
  }

  private async readFile(file: string): Promise<void> {
    // Line-at-a-time is fine here: dead letters are few, and each line is a JSON document anyway.
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    let events: Event[] = [];
    for await (const line of rl) {
      this.tally.bytesRead += Buffer.byteLength(line) + 1;
      if (line.length === 0) continue;
      this.tally.lines += 1;
      let rec: { event?: unknown };
      try {
        rec = JSON.parse(line) as { event?: unknown };
      } catch {
        rec = {};
      }
      if (rec.event === null || typeof rec.event !== 'object' || Array.isArray(rec.event)) {
        this.invalid += 1;
        this.ctx.metrics.error('parse_failed', 'processing');
        continue;
      }
      events.push(wireToEvent(rec.event as Record<string, unknown>, this.ctx.id, line.length));
      if (events.length >= BATCH) {
        await this.emit(events);
        events = [];
      }
      if (this.ctx.signal.aborted) return;
    }
    if (events.length > 0) await this.emit(events);
  }

  private emit(events: Event[]): Promise<void> {
    this.ctx.metrics.received(events.length, 0);
    return this.ctx.emit(events, new Finalizer(this.tally.track(events.length)));
  }
}
