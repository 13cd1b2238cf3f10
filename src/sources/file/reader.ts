/**
 * Reads tailed files: one chunk (read_buffer_bytes) per file per round into a reused buffer, lines
 * split by LineSplitter, parsed once, emitted in batches of ≤ max_batch_events. `await emit` is the
 * backpressure: nothing more is read while a batch is being handed over.
 */
import type { SourceContext } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import { LazyLogEvent, type Event, type Fields, type LogEvent } from '../../core/event.js';
import { Finalizer } from '../../core/finalizer.js';
import { toLogEvent } from '../../formats/index.js';
import { ParseFailure, SKIP, type Format, type ParseOutcome, type ParsedText } from '../../formats/types.js';
import type { FileSourceConfig } from './config.js';
import type { FileState } from './file-state.js';
import { checkFingerprint, EMPTY_FINGERPRINT } from './fingerprint.js';
import { LineBatch } from './line-splitter.js';
import { MEMBERS_IN_TEXT, ParsePool, type ParseReply } from './parse-pool.js';

/** LazyLogEvent's invariant: no field shadows a wire key. */
function spliceable(f: Fields): boolean {
  return f.timestamp === undefined && f.event_id === undefined && f.parse_error === undefined;
}

function capture(f: Fields, keys: readonly string[]): unknown[] {
  const out = new Array<unknown>(keys.length);
  for (let j = 0; j < keys.length; j++) out[j] = f[keys[j]!];
  return out;
}

/**
 * The event of a line parsed on this thread for consumers that only serialize fields: a
 * LazyLogEvent holding the members text (the format's own when it has parseText, else
 * JSON.stringify), or undefined when the outcome must become a plain event (toLogEvent).
 */
function lazyEvent(o: ParsedText | ParseOutcome, line: string, source: string, id: string, arrival: number, size: number, keys: readonly string[] | undefined): LazyLogEvent | undefined {
  if (o === SKIP || o instanceof ParseFailure || !spliceable(o.fields)) return undefined;
  const f = o.fields;
  const t = (o as ParsedText).text === true ? (o as ParsedText) : undefined;
  const ev = new LazyLogEvent(source, id, o.timestamp === o.timestamp ? o.timestamp : arrival, t ? t.members : JSON.stringify(f).slice(1, -1), line, size, keys, keys && capture(f, keys));
  return t ? ev.setSpan(t.start, t.end, t.suffix) : ev;
}

/** The event of line `i` of a worker's reply, or undefined: parse it on this thread. */
function replyEvent(r: ParseReply, i: number, line: string, source: string, id: string, arrival: number, size: number, keys: readonly string[] | undefined): LazyLogEvent | undefined {
  const start = r.start[i]!;
  const suffix = r.text[i] ?? '';
  let members: string;
  if (start >= 0) members = suffix === '' ? line.slice(start, r.end[i]!) : line.slice(start, r.end[i]!) + suffix;
  else if (start === MEMBERS_IN_TEXT) members = suffix;
  else return undefined;
  const ts = r.ts[i]!;
  const k = keys === undefined ? 0 : keys.length;
  const ev = new LazyLogEvent(source, id, ts === ts ? ts : arrival, members, line, size, keys, k > 0 ? r.peeked!.slice(i * k, i * k + k) : undefined);
  return start >= 0 ? ev.setSpan(start, r.end[i]!, suffix) : ev;
}

/** Lines read from a file, and the parse workers' answers for them (undefined: parse here). */
interface Chunk {
  batch: LineBatch;
  replies: Array<Promise<ParseReply>> | undefined;
}

/** more: data was read (read again soon); eof: nothing new; failed: the file cannot be read. */
export type ReadResult = 'more' | 'eof' | 'failed';

const EMIT_RETRY_MS = 1000;

export class Reader {
  stopping = false;
  private readonly buf: Buffer;
  private readonly batch = new LineBatch();
  /** Chunks read ahead (parse workers busy with them), by file: emitted by the next readSome. */
  private readonly ahead = new Map<FileState, Chunk>();
  private emitRetryAt = 0;
  private pool: ParsePool | undefined;
  /** Set when the workers failed or the reader closed: parse here. */
  private poolOff = false;

  constructor(
    private readonly config: FileSourceConfig,
    private readonly ctx: SourceContext,
    private readonly format: Format,
    private readonly onChange: () => void,
  ) {
    this.buf = Buffer.allocUnsafe(config.read_buffer_bytes);
  }

  async readSome(f: FileState): Promise<ReadResult> {
    let chunk = this.ahead.get(f);
    if (chunk !== undefined) {
      this.ahead.delete(f);
    } else {
      const r = await this.readChunk(f, this.batch);
      if (r !== 'read') return r;
      chunk = this.startParse(this.batch);
    }
    // Read ahead with parse workers: the next chunk goes to them now, so they parse it while this
    // thread builds and emits this one. Only a whole chunk known to be there (a backlog): that read
    // needs no fstat, so it cannot restart the file under the chunk being emitted.
    if (chunk.replies !== undefined && f.lastSize - f.readPos >= this.buf.length) {
      const next = new LineBatch();
      if ((await this.readChunk(f, next)) === 'read') this.ahead.set(f, this.startParse(next));
    }
    return (await this.emitLines(f, chunk)) ? 'more' : 'eof';
  }

  /** Reads the next chunk of `f` into `batch`. 'read' when lines (or a partial line) were read. */
  private async readChunk(f: FileState, batch: LineBatch): Promise<ReadResult | 'read'> {
    const fh = f.fh;
    if (!fh) return 'failed';
    if (this.emitRetryAt > Date.now()) return 'eof';
    try {
      // A whole buffer of data known to be there (a backlog): read it without another fstat (it
      // was ~4% of the main thread catching up on a big file). Truncation is noticed at the next
      // stat, as it would be if it happened just after this one.
      let size = f.lastSize;
      if (size - f.readPos < this.buf.length) {
        const st = await fh.stat();
        size = st.size;
        const now = Date.now();
        if (size < f.readPos) {
          await this.restart(f, 'file shrank below the read offset (copytruncate?)');
          return 'more';
        }
        if (size > f.lastSize) {
          f.observe(size, now, now);
          if (await this.verifyHead(f)) return 'more';
        }
        if (size <= f.readPos) return 'eof';
      }
      const want = Math.min(this.buf.length, size - f.readPos);
      const { bytesRead } = await fh.read(this.buf, 0, want, f.readPos);
      if (bytesRead === 0) return 'eof';
      const pos = f.readPos;
      f.readPos += bytesRead;
      batch.reset();
      f.splitter.push(this.buf.subarray(0, bytesRead), pos, batch, this.ctx.fieldsAsJson === true);
    } catch (err) {
      this.ctx.metrics.error('read_failed', 'receiving');
      this.ctx.logger.warn({ path: f.path, err: errorMessage(err) }, 'cannot read file');
      return 'failed';
    }
    return 'read';
  }

  /**
   * The lines of `batch`, handed to the parse workers if there are any (only when fields travel as
   * text: a worker answers text, not objects). Workers start with the first lines to parse (a
   * source built only to be validated starts none).
   */
  private startParse(batch: LineBatch): Chunk {
    if (this.ctx.fieldsAsJson === true && this.config.parse_workers > 0 && !this.poolOff && batch.text.length > 0) {
      this.pool ??= new ParsePool(this.format.name, this.config.parse_workers, this.ctx.peekKeys);
    }
    const pool = this.pool;
    if (pool === undefined) return { batch, replies: undefined };
    const max = this.config.max_batch_events;
    const replies: Array<Promise<ParseReply>> = [];
    for (let s = 0; s < batch.text.length; s += max) {
      const p = pool.parse(batch.text.slice(s, s + max));
      // A chunk read ahead may be dropped (rewind, stop) before anyone awaits its answers.
      p.catch(() => {});
      replies.push(p);
    }
    return { batch, replies };
  }

  /**
   * Compares the file's head with its fingerprint (and extends a short one). A different head on
   * the same inode means it was truncated and rewritten: start over. Returns true if it restarted.
   */
  async verifyHead(f: FileState): Promise<boolean> {
    if (!f.fh) return false;
    const check = await checkFingerprint(f.fh, f.fp, this.config.fingerprint_bytes);
    if (!check.match) {
      await this.restart(f, 'file head changed (truncated and rewritten)', check.fp);
      return true;
    }
    if (check.fp.len !== f.fp.len) {
      f.fp = check.fp;
      this.onChange();
    }
    return false;
  }

  /** Emits the pending partial line, if any. False when its emit failed (try again later). */
  async flush(f: FileState): Promise<boolean> {
    if (!f.splitter.pending) return true;
    this.batch.reset();
    f.splitter.flush(this.batch);
    return this.emitLines(f, this.startParse(this.batch));
  }

  private async restart(f: FileState, why: string, fp = EMPTY_FINGERPRINT): Promise<void> {
    this.ahead.delete(f);
    if (fp === EMPTY_FINGERPRINT && f.fh) fp = (await checkFingerprint(f.fh, EMPTY_FINGERPRINT, this.config.fingerprint_bytes)).fp;
    this.ctx.metrics.error('file_truncated', 'receiving');
    this.ctx.logger.warn({ path: f.path, offset: f.readPos }, `${why}: reading it again from the start`);
    f.restart(fp, this.onChange);
    this.onChange();
  }

  /** A parse worker failed: parse on this thread from now on (logged once). */
  private poolFailed(err: unknown): undefined {
    if (this.pool) {
      this.ctx.logger.error({ err: errorMessage(err) }, 'parse worker failed; parsing on the main thread from now on');
      void this.pool.close();
      this.pool = undefined;
    }
    this.poolOff = true;
    return undefined;
  }

  /** Stops the parse workers, if any. */
  async close(): Promise<void> {
    this.poolOff = true;
    const p = this.pool;
    this.pool = undefined;
    await p?.close();
  }

  /** Turns a chunk's lines into events and emits them. False if an emit failed (the file was rewound). */
  private async emitLines(f: FileState, chunk: Chunk): Promise<boolean> {
    const b = chunk.batch;
    const metrics = this.ctx.metrics;
    for (let i = 0; i < b.invalidUtf8; i++) metrics.error('invalid_utf8', 'receiving');
    for (let i = 0; i < b.truncated; i++) metrics.error('line_truncated', 'receiving');
    const n = b.text.length;
    if (n === 0) {
      if (b.end >= 0) f.acks.skip(b.end);
      return true;
    }
    const max = this.config.max_batch_events;
    const format = this.format;
    const source = this.ctx.id;
    const prefix = f.idPrefix;
    // Every consumer only serializes fields: hand them over as JSON text (see SourceContext.fieldsAsJson).
    const asJson = this.ctx.fieldsAsJson === true;
    const keys = this.ctx.peekKeys;
    // With parse workers every batch of the chunk was handed over at once (startParse): the workers
    // parse batch k+1 (and the chunk read ahead) while this thread builds, emits and encodes batch k.
    const replies = chunk.replies;
    for (let s = 0, k = 0; s < n; s += max, k++) {
      const e = Math.min(n, s + max);
      const end = e < n ? b.start[e]! : b.end;
      const reply = replies ? await replies[k]!.catch((err: unknown) => this.poolFailed(err)) : undefined;
      const arrival = Date.now();
      const events: Event[] = [];
      let bytes = 0;
      let failures = 0;
      for (let i = s; i < e; i++) {
        const line = b.text[i]!;
        const id = prefix + b.start[i]!;
        const size = b.bytes[i]!;
        let ev: LogEvent | null | undefined = reply ? replyEvent(reply, i - s, line, source, id, arrival, size, keys) : undefined;
        if (ev === undefined) {
          const outcome = asJson && format.parseText !== undefined ? format.parseText(line) : format.parse(line);
          if (outcome instanceof ParseFailure) failures++;
          if (asJson) ev = lazyEvent(outcome, line, source, id, arrival, size, keys);
          ev ??= toLogEvent(outcome as ParseOutcome, line, source, id, arrival, size);
        }
        if (ev !== null) {
          events.push(ev);
          bytes += size;
        }
      }
      for (let i = 0; i < failures; i++) metrics.error('parse_failed', 'processing');
      if (events.length === 0) {
        f.acks.skip(end);
        continue;
      }
      metrics.received(events.length, bytes);
      const acks = f.acks;
      const finalizer = new Finalizer(acks.add(end));
      try {
        await this.ctx.emit(events, finalizer);
      } catch (err) {
        // Not handed over: forget the batch and read its lines again after a pause.
        acks.cancelLast();
        f.readPos = b.start[s]!;
        f.splitter.reset();
        this.ahead.delete(f);
        this.emitRetryAt = Date.now() + EMIT_RETRY_MS;
        metrics.error('emit_failed', 'sending');
        this.ctx.logger.error({ path: f.path, err: errorMessage(err) }, 'emit failed; will read these lines again');
        return false;
      }
      if (this.stopping) break; // the rest is read again after a restart (checkpoint is behind it)
    }
    return true;
  }
}
