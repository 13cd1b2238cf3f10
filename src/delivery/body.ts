/**
 * Request bodies written straight into a Buffer, string by string. Concatenating a batch into one
 * string and converting it afterwards makes V8 flatten a ~1 MB string in its large-object space per
 * batch — old-generation garbage that forced a full GC every ~90 ms in the benchmark
 * (bench/README.md). Each string written here is small and dies young.
 */
export class BodyWriter {
  private buf: Buffer;
  private off = 0;

  /** `sizeHint`: expected body bytes (e.g. the last body's size), to avoid growing. */
  constructor(sizeHint = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, sizeHint));
  }

  /** Appends `s` as UTF-8. */
  write(s: string): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes: only count exactly when that bound does not fit.
    if (this.off + s.length * 3 > this.buf.length) this.ensure(Buffer.byteLength(s));
    this.off += this.buf.write(s, this.off);
  }

  private ensure(bytes: number): void {
    if (this.off + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + bytes));
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }

  get length(): number {
    return this.off;
  }

  /** The body written so far (a view: do not write after using it). */
  finish(): Buffer {
    return this.buf.subarray(0, this.off);
  }
}
