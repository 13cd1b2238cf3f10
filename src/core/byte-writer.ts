/**
 * Bytes appended to a Buffer that grows as needed: request bodies written string by string (HEC),
 * disk buffer records (strings with a length prefix, numbers). Concatenating a batch into one string
 * and converting it afterwards makes V8 flatten a ~1 MB string in its large-object space per batch —
 * old-generation garbage that forced a full GC every ~90 ms in the benchmark (bench/README.md). Each
 * string written here is small and dies young.
 */
const ABSENT = 0xffffffff;

export class ByteWriter {
  private buf: Buffer;
  private off: number;

  /** `sizeHint`: expected bytes (e.g. the last body's size), to avoid growing; `skip`: bytes left for a header. */
  constructor(sizeHint = 64 * 1024, skip = 0) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, sizeHint, skip));
    this.off = skip;
  }

  private ensure(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + n));
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }

  /** Room for `s` as UTF-8 after `extra` bytes: a UTF-16 unit is at most 3 bytes, counted exactly only when that bound does not fit. */
  private ensureText(s: string, extra: number): void {
    if (this.off + extra + s.length * 3 > this.buf.length) this.ensure(extra + Buffer.byteLength(s));
  }

  /** Appends `s` as UTF-8. */
  write(s: string): void {
    this.ensureText(s, 0);
    this.off += this.buf.write(s, this.off);
  }

  /** Appends `s` as u32 byte length + UTF-8 (undefined: the length 0xffffffff and nothing else). */
  str(s: string | undefined): void {
    if (s === undefined) return this.u32(ABSENT);
    this.ensureText(s, 4);
    const n = this.buf.write(s, this.off + 4);
    this.buf.writeUInt32LE(n, this.off);
    this.off += 4 + n;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.off++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.off = this.buf.writeUInt32LE(v, this.off);
  }

  i32(v: number): void {
    this.ensure(4);
    this.off = this.buf.writeInt32LE(v, this.off);
  }

  f64(v: number): void {
    this.ensure(8);
    this.off = this.buf.writeDoubleLE(v, this.off);
  }

  get length(): number {
    return this.off;
  }

  /** The bytes written so far, header space included (a view: do not write after using it). */
  finish(): Buffer {
    return this.buf.subarray(0, this.off);
  }
}

/** ByteWriter.str's length for an absent string. */
export const ABSENT_STRING = ABSENT;
