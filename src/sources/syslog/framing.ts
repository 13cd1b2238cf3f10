/**
 * Syslog stream framing (RFC 6587): octet counting (`LEN SP MSG`, no trailer) or non-transparent
 * newline framing (`MSG LF`). `auto` decides once per connection from its first bytes: digits then a
 * space mean octet counting, anything else newline framing (a Fastly token made only of digits
 * needs `framing: newline`). Messages longer than `max` bytes are cut to `max` and flagged; the rest
 * of such a frame is skipped, so framing stays in step. A malformed octet count cannot be resynced:
 * push() reports it and the caller closes the connection.
 */

export type FramingMode = 'auto' | 'octet_counting' | 'newline';

export interface Frame {
  text: string;
  truncated: boolean;
  bytes: number;
}

/** Longest accepted MSG-LEN (digits): 999,999,999 bytes. */
const MAX_LEN_DIGITS = 9;

function text(buf: Buffer, start: number, end: number, truncated: boolean): string {
  let s = buf.toString('utf8', start, end);
  if (truncated && s.charCodeAt(s.length - 1) === 0xfffd) s = s.slice(0, -1); // a character cut in two
  return s;
}

export class Framer {
  private mode: 'detect' | 'octet' | 'newline';
  /** Unconsumed bytes from earlier chunks (a partial header or line, at most max + a header). */
  private carry: Buffer | undefined;
  /** Newline mode: inside an over-long line, dropping bytes until its end. */
  private skipping = false;
  /** Octet mode: bytes of the current frame still to come (0 = a header comes next). */
  private remaining = 0;
  private frameLen = 0;
  private kept: Buffer[] = [];
  private keptBytes = 0;
  /** Set when framing broke (invalid octet count): nothing more is read. */
  error: string | undefined;

  constructor(mode: FramingMode, private readonly max: number) {
    this.mode = mode === 'auto' ? 'detect' : mode === 'octet_counting' ? 'octet' : 'newline';
  }

  get framing(): 'octet_counting' | 'newline' | undefined {
    return this.mode === 'detect' ? undefined : this.mode === 'octet' ? 'octet_counting' : 'newline';
  }

  /** Appends the frames completed by `chunk` to `out`. False when framing broke (see `error`). */
  push(chunk: Buffer, out: Frame[]): boolean {
    if (this.error !== undefined) return false;
    let buf = chunk;
    if (this.carry !== undefined) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    let pos = 0;
    if (this.mode === 'detect') {
      const m = detect(buf);
      if (m === undefined) {
        this.carry = buf;
        return true;
      }
      this.mode = m;
    }
    pos = this.mode === 'octet' ? this.octet(buf, pos, out) : this.newline(buf, pos, out);
    if (pos < 0) return false;
    if (pos < buf.length) this.carry = buf.subarray(pos);
    return true;
  }

  /**
   * The connection ended: a last line without its newline is a frame; a partial octet-counted
   * frame is incomplete (returns 'incomplete' so the caller counts it) and dropped.
   */
  end(out: Frame[]): 'ok' | 'incomplete' {
    const carry = this.carry;
    this.carry = undefined;
    if (this.error !== undefined) return 'ok';
    if (this.mode === 'octet' || (this.mode === 'detect' && carry !== undefined && /^\s*\d+$/.test(carry.toString('latin1')))) {
      const partial = this.remaining > 0 || (carry !== undefined && carry.toString('latin1').trim() !== '');
      this.remaining = 0;
      this.kept = [];
      this.keptBytes = 0;
      return partial ? 'incomplete' : 'ok';
    }
    if (carry !== undefined && !this.skipping) this.line(carry, 0, carry.length, out);
    this.skipping = false;
    return 'ok';
  }

  private line(buf: Buffer, start: number, end: number, out: Frame[], cut = false): void {
    if (!cut && end > start && buf[end - 1] === 13) end--; // CR LF
    if (end <= start) return;
    const truncated = cut || end - start > this.max;
    const stop = truncated ? start + this.max : end;
    const t = text(buf, start, stop, truncated);
    if (t.trim() !== '') out.push({ text: t, truncated, bytes: end - start });
  }

  private newline(buf: Buffer, pos: number, out: Frame[]): number {
    const n = buf.length;
    while (pos < n) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) {
        if (this.skipping) return n;
        if (n - pos > this.max) {
          // Over-long line: keep its head now, drop the rest up to its newline.
          this.line(buf, pos, pos + this.max, out, true);
          this.skipping = true;
          return n;
        }
        return pos;
      }
      if (this.skipping) this.skipping = false;
      else this.line(buf, pos, nl, out);
      pos = nl + 1;
    }
    return pos;
  }

  private octet(buf: Buffer, pos: number, out: Frame[]): number {
    const n = buf.length;
    while (pos < n) {
      if (this.remaining === 0) {
        // Header: optional blank bytes (tolerated trailers), digits, one space.
        while (pos < n && (buf[pos] === 10 || buf[pos] === 13 || buf[pos] === 32)) pos++;
        if (pos >= n) return n;
        let i = pos;
        let len = 0;
        while (i < n && buf[i]! >= 48 && buf[i]! <= 57 && i - pos < MAX_LEN_DIGITS) len = len * 10 + (buf[i++]! - 48);
        if (i >= n) return pos; // header continues in the next chunk
        if (i === pos || buf[i] !== 32 || len === 0) {
          this.error = i - pos >= MAX_LEN_DIGITS ? 'octet count too large' : 'invalid octet count';
          return -1;
        }
        pos = i + 1;
        this.remaining = len;
        this.frameLen = len;
      }
      const take = Math.min(this.remaining, n - pos);
      const room = this.max - this.keptBytes;
      if (room > 0) {
        const keep = buf.subarray(pos, pos + Math.min(take, room));
        this.kept.push(keep);
        this.keptBytes += keep.length;
      }
      pos += take;
      this.remaining -= take;
      if (this.remaining === 0) {
        const whole = this.kept.length === 1 ? this.kept[0]! : Buffer.concat(this.kept, this.keptBytes);
        const truncated = this.frameLen > this.max;
        let end = whole.length;
        while (end > 0 && (whole[end - 1] === 10 || whole[end - 1] === 13)) end--; // a trailing newline inside the frame
        const t = text(whole, 0, end, truncated);
        if (t.trim() !== '') out.push({ text: t, truncated, bytes: this.frameLen });
        this.kept = [];
        this.keptBytes = 0;
      }
    }
    return pos;
  }
}

/** octet / newline from the first bytes, or undefined when they do not tell yet. */
function detect(buf: Buffer): 'octet' | 'newline' | undefined {
  let i = 0;
  while (i < buf.length && (buf[i] === 10 || buf[i] === 13 || buf[i] === 32)) i++;
  const start = i;
  while (i < buf.length && buf[i]! >= 48 && buf[i]! <= 57) i++;
  if (i - start > MAX_LEN_DIGITS) return 'newline';
  if (i >= buf.length) return buf.length > 1024 ? 'newline' : undefined; // only blanks so far: bounded wait
  return i > start && buf[i] === 32 ? 'octet' : 'newline';
}
