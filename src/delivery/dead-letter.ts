/**
 * Dead letters: events a sink could not deliver (permanent rejection, encoding error, retries
 * exhausted) are appended to `${dataDir}/dead_letter/<sink id>/<YYYY-MM-DD>.ndjson` (UTC date), one
 * line per event: {"sink","reason","time","event"} where `event` is the full ndjson wire object
 * (eventToWire without the sink's except/only fields, so nothing is lost for a replay with
 * `edgetail backfill`). Writes of one writer are serialised, so lines of a batch stay together.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Event } from '../core/event.js';
import { eventToWire } from './encoding.js';

export function deadLetterDir(dataDir: string, sinkId: string): string {
  return join(dataDir, 'dead_letter', sinkId);
}

export class DeadLetterWriter {
  readonly dir: string;
  private ready: Promise<unknown> | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly sinkId: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.dir = deadLetterDir(dataDir, sinkId);
  }

  /** Appends one line per event. Rejects when the file cannot be written. */
  write(events: readonly Event[], reason: string): Promise<void> {
    const p = this.tail.then(() => this.append(events, reason));
    this.tail = p.catch(() => {});
    return p;
  }

  private async append(events: readonly Event[], reason: string): Promise<void> {
    if (events.length === 0) return;
    const date = this.now();
    const time = date.toISOString();
    // Everything but the event is the same on every line: stringify it once.
    const prefix = '{"sink":' + JSON.stringify(this.sinkId) + ',"reason":' + JSON.stringify(reason) + ',"time":"' + time + '","event":';
    let text = '';
    for (let i = 0; i < events.length; i++) text += prefix + JSON.stringify(eventToWire(events[i]!)) + '}\n';
    this.ready ??= mkdir(this.dir, { recursive: true });
    try {
      await this.ready;
    } catch (err) {
      this.ready = undefined; // try again next time
      throw err;
    }
    await appendFile(join(this.dir, time.slice(0, 10) + '.ndjson'), text);
  }
}
