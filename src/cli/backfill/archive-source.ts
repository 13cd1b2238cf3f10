/**
 * The one-shot reader of `edgetail backfill`: reads each archived file once, start to end — plain,
 * or gzip when the file starts with the gzip magic bytes (1f 8b; concatenated members included) —
 * and emits line batches through the same plumbing as the file source: LineSplitter, the
 * configured format's parser, toLogEvent. No checkpoints: a backfill that is interrupted is run
 * again. `finished` resolves when every file was read and its batches handed downstream.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Source, SourceContext } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import type { Event } from '../../core/event.js';
import { Finalizer } from '../../core/finalizer.js';
import { toLogEvent } from '../../formats/index.js';
import { ParseFailure, type Format } from '../../formats/types.js';
import { LineBatch, LineSplitter } from '../../sources/file/line-splitter.js';
import type { Tally } from './tally.js';

export interface ArchiveOptions {
  paths: string[];
  format: Format;
  maxLineBytes: number;
  maxBatchEvents: number;
}

const READ_CHUNK = 256 * 1024;

/** True when the file starts with the gzip magic bytes. */
export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export class ArchiveSource implements Source {
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private run: Promise<void> | undefined;
  private readonly batch = new LineBatch();

  constructor(
    private readonly opts: ArchiveOptions,
    private readonly ctx: SourceContext,
    private readonly tally: Tally,
  ) {
    this.finished = new Promise<void>((r) => (this.resolveFinished = r));
  }

  async start(): Promise<void> {
    for (const p of this.opts.paths) this.tally.bytesTotal += (await stat(p)).size;
    this.run = this.readAll().finally(() => this.resolveFinished());
  }

  async stop(): Promise<void> {
    await this.run;
  }

  describe(): Record<string, unknown> {
    return { paths: this.opts.paths, bytes_read: this.tally.bytesRead, bytes_total: this.tally.bytesTotal, lines: this.tally.lines };
  }

  private async readAll(): Promise<void> {
    for (const path of this.opts.paths) {
      if (this.ctx.signal.aborted) return;
      try {
        await this.readFile(path);
      } catch (err) {
        if (this.ctx.signal.aborted) return;
        this.tally.failedFiles.push({ path, reason: errorMessage(err) });
        this.ctx.metrics.error('read_failed', 'receiving');
        this.ctx.logger.error({ path, err: errorMessage(err) }, 'archive file could not be read to the end');
      }
    }
  }

  private async readFile(path: string): Promise<void> {
    const gz = await isGzip(path);
    const raw = createReadStream(path, { highWaterMark: READ_CHUNK });
    let input: Readable = raw;
    if (gz) {
      // Progress counts compressed bytes (what the total is made of).
      raw.on('data', (c: Buffer | string) => (this.tally.bytesRead += c.length));
      const gunzip = createGunzip({ chunkSize: READ_CHUNK });
      raw.on('error', (err) => gunzip.destroy(err));
      input = raw.pipe(gunzip);
    }
    const splitter = new LineSplitter(this.opts.maxLineBytes);
    const prefix = `${this.ctx.id}:${basename(path)}:`;
    let pos = 0;
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        if (!gz) this.tally.bytesRead += chunk.length;
        this.batch.reset();
        splitter.push(chunk, pos, this.batch);
        pos += chunk.length;
        await this.emitLines(prefix);
        if (this.ctx.signal.aborted) return;
      }
      this.batch.reset();
      splitter.flush(this.batch);
      await this.emitLines(prefix);
    } finally {
      raw.destroy();
    }
  }

  private async emitLines(prefix: string): Promise<void> {
    const b = this.batch;
    const metrics = this.ctx.metrics;
    for (let i = 0; i < b.invalidUtf8; i++) metrics.error('invalid_utf8', 'receiving');
    for (let i = 0; i < b.truncated; i++) metrics.error('line_truncated', 'receiving');
    const n = b.text.length;
    const max = this.opts.maxBatchEvents;
    const format = this.opts.format;
    for (let s = 0; s < n; s += max) {
      const e = Math.min(n, s + max);
      const arrival = Date.now();
      const events: Event[] = [];
      let bytes = 0;
      let failures = 0;
      for (let i = s; i < e; i++) {
        const line = b.text[i]!;
        const outcome = format.parse(line);
        if (outcome instanceof ParseFailure) failures++;
        const ev = toLogEvent(outcome, line, this.ctx.id, prefix + b.start[i]!, arrival, b.bytes[i]!);
        if (ev !== null) {
          events.push(ev);
          bytes += b.bytes[i]!;
        }
      }
      for (let i = 0; i < failures; i++) metrics.error('parse_failed', 'processing');
      this.tally.lines += e - s;
      if (events.length === 0) continue;
      metrics.received(events.length, bytes);
      // Throws SHUTDOWN when interrupted: the batch is then counted as never acknowledged.
      await this.ctx.emit(events, new Finalizer(this.tally.track(events.length)));
    }
  }
}
