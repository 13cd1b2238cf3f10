/**
 * The append side of the log: writes groups of encoded records into the current segment at explicit
 * positions, rotating to a new segment when the current one would exceed `segmentMaxBytes`. A failed
 * write truncates the segment back to its last complete record, so retrying the same group never
 * leaves a torn record in front of good ones, and the next write starts a new segment: the one that
 * failed (e.g. on a full disk) can then be deleted as soon as its records are acknowledged, which
 * is what frees the space for the retry. fsync policy (docs/buffers.md):
 * - batch: fdatasync before write() resolves (and the directory when a segment is created);
 * - interval: fdatasync of the current segment every `intervalMs`;
 * - never: no fsync except at close.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Position } from './ledger.js';
import { segmentPath } from './segments.js';

export type SyncPolicy = 'batch' | 'interval' | 'never';

interface Open {
  id: number;
  fh: FileHandle;
  size: number;
}

export class SegmentWriter {
  private current: Open | undefined;
  private nextId: number;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  /** A write failed: start the next write in a new segment. */
  private rotateNext = false;

  constructor(
    private readonly dir: string,
    firstId: number,
    private readonly segmentMaxBytes: number,
    private readonly sync: SyncPolicy,
    intervalMs: number,
    onSyncError: (err: unknown) => void,
  ) {
    this.nextId = firstId;
    if (sync === 'interval') {
      this.timer = setInterval(() => void this.syncNow().catch(onSyncError), intervalMs);
      this.timer.unref();
    }
  }

  /** Segment id the writer appends to (or will create next). */
  get segment(): number {
    return this.current?.id ?? this.nextId;
  }

  /** Where the next record will go. */
  get end(): Position {
    return this.current ? { segment: this.current.id, offset: this.current.size } : { segment: this.nextId, offset: 0 };
  }

  /** Appends the records in order; resolves with each one's position once the policy is satisfied. */
  async write(records: Buffer[]): Promise<Position[]> {
    const positions: Position[] = [];
    let i = 0;
    while (i < records.length) {
      let seg = this.current;
      if (seg === undefined || (seg.size > 0 && (this.rotateNext || seg.size + records[i]!.length > this.segmentMaxBytes))) seg = await this.rotate();
      // The run of records that fits into this segment (at least one).
      let j = i;
      let len = 0;
      while (j < records.length && (j === i || seg.size + len + records[j]!.length <= this.segmentMaxBytes)) len += records[j++]!.length;
      const buf = j - i === 1 ? records[i]! : Buffer.concat(records.slice(i, j), len);
      await this.writeAt(seg, buf);
      let at = seg.size;
      for (let k = i; k < j; k++) {
        positions.push({ segment: seg.id, offset: at });
        at += records[k]!.length;
      }
      seg.size = at;
      this.dirty = true;
      i = j;
    }
    if (this.sync === 'batch') await this.syncNow();
    return positions;
  }

  /** fdatasync of the current segment when it has unsynced writes. */
  async syncNow(): Promise<void> {
    if (this.syncing) return this.syncing;
    const seg = this.current;
    if (!seg || !this.dirty) return;
    this.dirty = false;
    this.syncing = seg.fh.datasync().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const seg = this.current;
    this.current = undefined;
    if (!seg) return;
    try {
      if (this.dirty) await seg.fh.datasync();
    } finally {
      this.dirty = false;
      await seg.fh.close();
    }
  }

  private async writeAt(seg: Open, buf: Buffer): Promise<void> {
    let done = 0;
    try {
      while (done < buf.length) {
        const { bytesWritten } = await seg.fh.write(buf, done, buf.length - done, seg.size + done);
        done += bytesWritten;
      }
    } catch (err) {
      // Cut the partial write off so that a retry (or the next group) starts at a record boundary.
      await seg.fh.truncate(seg.size).catch(() => undefined);
      this.rotateNext = true;
      throw err;
    }
  }

  private async rotate(): Promise<Open> {
    const old = this.current;
    if (old) {
      this.current = undefined;
      if (this.dirty && this.sync !== 'never') await old.fh.datasync();
      this.dirty = false;
      await old.fh.close();
    }
    this.rotateNext = false;
    const id = this.nextId;
    const fh = await open(segmentPath(this.dir, id), 'wx');
    this.nextId = id + 1;
    const seg: Open = { id, fh, size: 0 };
    this.current = seg;
    if (this.sync === 'batch') await syncDir(this.dir);
    return seg;
  }
}

/** Makes a new directory entry durable (a host crash must not lose the segment file itself). */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
