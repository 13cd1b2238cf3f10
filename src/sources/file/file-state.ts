/** One tailed file: its identity, open handle, read position, partial line, acknowledgements, lag samples. */
import type { FileHandle } from 'node:fs/promises';
import { AckQueue } from './ack-queue.js';
import type { CheckpointRecord } from './checkpoint-store.js';
import type { Fingerprint } from './fingerprint.js';
import { LineSplitter } from './line-splitter.js';

const MAX_SAMPLES = 32;

export class FileState {
  readonly key: string;
  path: string;
  fh: FileHandle | null;
  gen: number;
  fp: Fingerprint;
  /** Offset of the next byte to read. */
  readPos: number;
  readonly splitter: LineSplitter;
  acks: AckQueue;
  /** `${source}:${dev}-${ino}-${gen}:` — event_id is this plus the line's byte offset. */
  idPrefix: string;
  /** Size at the last stat, and when it last grew. */
  lastSize: number;
  lastGrowthMs: number;
  /** 0 while the file is at an included path; otherwise when discovery first missed it. */
  goneSince = 0;
  seenMs: number;
  /** (size, time) samples: bytes below `size` existed at `at`. Lag = age of the first sample past readPos. */
  private readonly sampleSize: number[] = [];
  private readonly sampleAt: number[] = [];

  constructor(
    private readonly sourceId: string,
    key: string,
    path: string,
    fh: FileHandle,
    gen: number,
    fp: Fingerprint,
    offset: number,
    maxLineBytes: number,
    onCommit: () => void,
    now: number,
  ) {
    this.key = key;
    this.path = path;
    this.fh = fh;
    this.gen = gen;
    this.fp = fp;
    this.readPos = offset;
    this.splitter = new LineSplitter(maxLineBytes);
    this.acks = new AckQueue(offset);
    this.acks.onCommit = onCommit;
    this.idPrefix = `${sourceId}:${key}-${gen}:`;
    this.lastSize = offset;
    this.lastGrowthMs = now;
    this.seenMs = now;
  }

  /** Records a stat result; `dataAt` is when bytes up to `size` are known to have existed. */
  observe(size: number, dataAt: number, now: number): void {
    if (size <= this.lastSize) return;
    this.lastSize = size;
    this.lastGrowthMs = now;
    const n = this.sampleSize.length;
    if (n >= MAX_SAMPLES) {
      this.sampleSize[n - 1] = size; // keeps the older time: overstates lag slightly, never hides it
    } else {
      this.sampleSize.push(size);
      this.sampleAt.push(dataAt);
    }
  }

  /** Seconds since the oldest unread byte is known to have existed (0 when caught up). */
  lagSeconds(now: number): number {
    while (this.sampleSize.length > 0 && this.sampleSize[0]! <= this.readPos) {
      this.sampleSize.shift();
      this.sampleAt.shift();
    }
    if (this.sampleSize.length === 0) return 0;
    return Math.max(0, (now - this.sampleAt[0]!) / 1000);
  }

  /** Same inode, new content (copytruncate, or rewritten): start over at 0 under a new generation. */
  restart(fp: Fingerprint, onCommit: () => void): void {
    this.gen += 1;
    this.fp = fp;
    this.readPos = 0;
    this.splitter.reset();
    this.acks = new AckQueue(0); // batches of the old generation still finalize, into the old queue
    this.acks.onCommit = onCommit;
    this.idPrefix = `${this.sourceId}:${this.key}-${this.gen}:`;
    this.lastSize = 0;
    this.sampleSize.length = 0;
    this.sampleAt.length = 0;
  }

  record(): CheckpointRecord {
    return { key: this.key, gen: this.gen, offset: this.acks.committed, fp_len: this.fp.len, fp_hash: this.fp.hash, path: this.path, seen_ms: this.seenMs };
  }
}
