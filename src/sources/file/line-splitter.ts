/**
 * Splits file bytes into lines with Buffer.indexOf (no readline): handles \r\n, carries a partial
 * last line until its newline arrives, truncates overlong lines on a character boundary, and
 * checks UTF-8 validity once per chunk (per line only when the chunk is not valid).
 *
 * Shared chunks (push's `share`): when the complete lines of a chunk are all ASCII, the chunk is
 * decoded once into one string and every line is a slice of it — one allocation instead of one per
 * line, and a string that big lives in V8's large-object space, which the young-generation GC never
 * copies (measured: bench/README.md). A slice keeps the whole chunk string alive, so the reader
 * asks for it only when every line of the chunk goes to the same consumers and lives about as long
 * (SourceContext.fieldsAsJson): never when a transform may keep a few lines out of many.
 */
import { isAscii, isUtf8 } from 'node:buffer';

/** Lines produced by one push(); arrays are reused by the caller (reset()). */
export class LineBatch {
  text: string[] = [];
  /** File offset of each line's first byte. */
  start: number[] = [];
  /** Bytes of each line as emitted (after \r strip and truncation). */
  bytes: number[] = [];
  /** File offset just past the last consumed newline (including skipped empty lines). */
  end = -1;
  invalidUtf8 = 0;
  truncated = 0;

  reset(): void {
    this.text.length = 0;
    this.start.length = 0;
    this.bytes.length = 0;
    this.end = -1;
    this.invalidUtf8 = 0;
    this.truncated = 0;
  }
}

export class LineSplitter {
  private parts: Buffer[] = [];
  /** Bytes kept in parts (≤ maxLine + 1: one extra for a trailing \r). */
  private kept = 0;
  /** Bytes of the partial line seen so far, kept or not. */
  private seen = 0;
  private partStart = -1;

  constructor(private readonly maxLine: number) {}

  /** True while a partial (unterminated) line is pending. */
  get pending(): boolean {
    return this.partStart >= 0;
  }

  /** File offset where the pending partial line starts (-1 if none). */
  get pendingStart(): number {
    return this.partStart;
  }

  /** Forgets the partial line (file truncated). */
  reset(): void {
    this.parts = [];
    this.kept = 0;
    this.seen = 0;
    this.partStart = -1;
  }

  /**
   * `chunk` holds the bytes at file offset `pos`; complete lines are appended to `out`. `share`:
   * lines may be slices of one string of the whole chunk (see the top of this file).
   */
  push(chunk: Buffer, pos: number, out: LineBatch, share = false): void {
    const n = chunk.length;
    let i = 0;
    if (this.partStart >= 0) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.keep(chunk, 0, n);
        return;
      }
      this.keep(chunk, 0, nl);
      this.emitPartial(out);
      out.end = pos + nl + 1;
      i = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (share && last > i && isAscii(chunk.subarray(i, last))) {
      const text = chunk.toString('latin1', i, last);
      const base = i;
      while (i <= last) {
        const nl = chunk.indexOf(10, i);
        this.sliceLine(text, base, i, nl, pos + i, out);
        i = nl + 1;
        out.end = pos + i;
      }
    }
    // Fast path: one native validity check over every complete line of the chunk.
    const checkEach = last > i && !isUtf8(chunk.subarray(i, last));
    while (i <= last) {
      const nl = chunk.indexOf(10, i);
      this.line(chunk, i, nl, pos + i, checkEach, out);
      i = nl + 1;
      out.end = pos + i;
    }
    if (i < n) {
      this.partStart = pos + i;
      this.keep(chunk, i, n);
    }
  }

  /** Emits the pending partial line as a line (the file will not grow any more). */
  flush(out: LineBatch): void {
    if (this.partStart < 0) return;
    const end = this.partStart + this.seen;
    this.emitPartial(out);
    out.end = end;
  }

  private keep(chunk: Buffer, s: number, e: number): void {
    this.seen += e - s;
    const room = this.maxLine + 1 - this.kept;
    if (room <= 0 || e <= s) return;
    const take = Math.min(room, e - s);
    this.parts.push(Buffer.from(chunk.subarray(s, s + take))); // copy: the read buffer is reused
    this.kept += take;
  }

  private emitPartial(out: LineBatch): void {
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.kept);
    const start = this.partStart;
    const overflow = this.seen > this.kept;
    this.reset();
    this.line(buf, 0, buf.length, start, true, out, overflow);
  }

  /** One line of an ASCII chunk decoded as `text` (text[0] is byte `base`): bytes [s, e) of the chunk. */
  private sliceLine(text: string, base: number, s: number, e: number, start: number, out: LineBatch): void {
    if (e > s && text.charCodeAt(e - 1 - base) === 13) e -= 1;
    if (e === s) return; // empty lines carry no record
    if (e - s > this.maxLine) {
      e = s + this.maxLine;
      out.truncated += 1;
    }
    out.text.push(text.slice(s - base, e - base));
    out.start.push(start);
    out.bytes.push(e - s);
  }

  /** One line: bytes [s, e) of buf, e at the newline (or the end of a partial line). */
  private line(buf: Buffer, s: number, e: number, start: number, check: boolean, out: LineBatch, overflow = false): void {
    if (e > s && buf[e - 1] === 13 && !overflow) e -= 1;
    if (e === s) return; // empty lines carry no record
    if (overflow || e - s > this.maxLine) {
      e = s + this.maxLine;
      // Cut on a character boundary: never split a multi-byte UTF-8 sequence.
      while (e > s && (buf[e]! & 0xc0) === 0x80) e -= 1;
      out.truncated += 1;
    }
    if (check && !isUtf8(buf.subarray(s, e))) out.invalidUtf8 += 1;
    out.text.push(buf.toString('utf8', s, e));
    out.start.push(start);
    out.bytes.push(e - s);
  }
}
