/**
 * The `file` source: discovers files by glob, tails them, emits line batches with a Finalizer each,
 * and checkpoints per file the offset up to which every batch has been finalized.
 * Reading (one chunk per file per round, emit awaited = backpressure) lives in reader.ts.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Source, SourceContext } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import type { Format } from '../../formats/types.js';
import { CheckpointStore, CorruptCheckpointError, type CheckpointRecord } from './checkpoint-store.js';
import type { FileSourceConfig } from './config.js';
import { discover, type FoundFile } from './discovery.js';
import { FileState } from './file-state.js';
import { checkFingerprint, EMPTY_FINGERPRINT } from './fingerprint.js';
import { Reader } from './reader.js';

/** Records of files not seen for this long are dropped from the checkpoint. */
const RECORD_RETENTION_MS = 24 * 3600 * 1000;

export class FileSource implements Source {
  private readonly store: CheckpointStore;
  private readonly reader: Reader;
  /** Open files by identity. */
  private readonly active = new Map<string, FileState>();
  /** Closed files whose batches are not all finalized yet. */
  private retired: FileState[] = [];
  /** Checkpoint records of files not open now (from disk, or closed and fully finalized). */
  private readonly known = new Map<string, CheckpointRecord>();
  private dirty = false;
  private stopping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private saving: Promise<void> = Promise.resolve();
  private lastSave = 0;
  private nextGlob = 0;
  private readonly markDirty = (): void => {
    this.dirty = true;
  };

  constructor(
    private readonly config: FileSourceConfig,
    private readonly ctx: SourceContext,
    format: Format,
  ) {
    this.store = new CheckpointStore(ctx.dataDir, ctx.id);
    this.reader = new Reader(config, ctx, format, this.markDirty);
  }

  async start(): Promise<void> {
    await this.loadCheckpoints();
    await this.discoverFiles(true);
    this.nextGlob = Date.now() + this.config.glob_interval_ms;
    const tick = Math.min(this.config.checkpoint_interval_ms, 1000);
    this.timer = setInterval(() => this.housekeeping(), tick);
    this.timer.unref();
    if (this.ctx.signal.aborted) this.stopping = true;
    else this.ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.reader.stopping = true;
    this.wake?.();
    await this.loopDone;
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.settleRetired();
    await this.persist(true);
    const handles: FileHandle[] = [];
    for (const f of this.active.values()) if (f.fh) handles.push(f.fh);
    await Promise.allSettled(handles.map((h) => h.close()));
    await this.reader.close();
  }

  describe(): Record<string, unknown> {
    const files = [...this.active.values()].map((f) => ({
      path: f.path,
      identity: `${f.key}-${f.gen}`,
      read_offset: f.readPos,
      checkpoint_offset: f.acks.committed,
      size: f.lastSize,
      batches_in_flight: f.acks.inFlight,
      rotated: f.goneSince > 0,
    }));
    return { files, draining: this.retired.length, checkpoint: this.store.path };
  }

  private async loadCheckpoints(): Promise<void> {
    let records: CheckpointRecord[] = [];
    try {
      records = await this.store.load();
    } catch (err) {
      if (!(err instanceof CorruptCheckpointError)) throw err;
      // Refusing to start would stop the pipeline; starting fresh re-reads (start_at) instead.
      const aside = await this.store.quarantine();
      this.ctx.metrics.error('checkpoint_corrupt', 'receiving');
      this.ctx.logger.error({ err: errorMessage(err), moved_to: aside }, 'file source checkpoint unreadable; starting without it');
    }
    for (const r of records) this.known.set(r.key, r);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let busy = false;
      try {
        if (Date.now() >= this.nextGlob) {
          await this.discoverFiles(false);
          this.nextGlob = Date.now() + this.config.glob_interval_ms;
        }
        for (const f of [...this.active.values()]) {
          if (this.stopping) break;
          const r = await this.reader.readSome(f);
          if (r === 'more') busy = true;
          else if (r === 'eof' && this.shouldClose(f)) await this.closeFile(f);
          else if (r === 'failed') await this.closeFile(f, false);
        }
      } catch (err) {
        this.ctx.metrics.error('tail_failed', 'receiving');
        this.ctx.logger.error({ err: errorMessage(err) }, 'file source round failed');
        busy = false;
      }
      if (!busy && !this.stopping) await this.sleep(Math.min(this.config.poll_interval_ms, Math.max(1, this.nextGlob - Date.now())));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    }).then(() => {
      this.wake = null;
    });
  }

  private async discoverFiles(first: boolean): Promise<void> {
    const found = await discover(this.config.include, this.config.exclude);
    const now = Date.now();
    const present = new Set<string>();
    for (const file of found) {
      present.add(file.key);
      const f = this.active.get(file.key);
      if (f) {
        f.path = file.path;
        f.goneSince = 0;
        f.seenMs = now;
        if (await this.reader.verifyHead(f)) this.dirty = true;
        continue;
      }
      if (this.config.ignore_older_secs !== undefined && file.mtimeMs < now - this.config.ignore_older_secs * 1000) continue;
      await this.track(file, first, now);
    }
    for (const f of this.active.values()) if (!present.has(f.key) && f.goneSince === 0) f.goneSince = now;
  }

  /** Starts tailing a file not open now: resume a known one, or start a new one. */
  private async track(file: FoundFile, first: boolean, now: number): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(file.path, 'r');
    } catch (err) {
      this.ctx.metrics.error('open_failed', 'receiving');
      this.ctx.logger.warn({ path: file.path, err: errorMessage(err) }, 'cannot open file');
      return;
    }
    const ri = this.retired.findIndex((r) => r.key === file.key);
    const prior = ri >= 0 ? this.retired[ri]!.record() : this.known.get(file.key);
    const known = prior ? { len: prior.fp_len, hash: prior.fp_hash } : EMPTY_FINGERPRINT;
    let check;
    try {
      check = await checkFingerprint(fh, known, this.config.fingerprint_bytes);
    } catch (err) {
      await fh.close().catch(() => {});
      this.ctx.metrics.error('read_failed', 'receiving');
      this.ctx.logger.warn({ path: file.path, err: errorMessage(err) }, 'cannot read file head');
      return;
    }
    if (ri >= 0 && check.match) {
      // A closed file back at an included path: reopen it where reading stopped.
      const f = this.retired[ri]!;
      this.retired.splice(ri, 1);
      f.fh = fh;
      f.fp = check.fp;
      f.path = file.path;
      f.goneSince = 0;
      f.seenMs = now;
      this.active.set(f.key, f);
      return;
    }
    let gen = 0;
    let offset = 0;
    if (prior) {
      this.known.delete(file.key);
      if (check.match && prior.offset <= file.size) {
        gen = prior.gen;
        offset = prior.offset;
      } else {
        gen = prior.gen + 1; // inode reused by another file, or rewritten while we were away
        this.ctx.logger.info({ path: file.path, identity: file.key }, 'known inode holds new content; reading it from the start');
      }
    } else if (first && this.config.start_at === 'end') {
      offset = file.size;
    }
    const f = new FileState(this.ctx.id, file.key, file.path, fh, gen, check.fp, offset, this.config.max_line_bytes, this.markDirty, now);
    f.observe(file.size, Math.min(now, file.mtimeMs), now);
    this.active.set(f.key, f);
    this.dirty = true;
    this.ctx.logger.debug({ path: file.path, offset, gen }, 'tailing file');
  }

  /** At EOF, off every included path, and quiet for rotate_wait_ms: nobody will write it any more. */
  private shouldClose(f: FileState): boolean {
    if (f.goneSince === 0) return false;
    return Date.now() - Math.max(f.lastGrowthMs, f.goneSince) >= this.config.rotate_wait_ms;
  }

  private async closeFile(f: FileState, flushPartial = true): Promise<void> {
    // An unterminated last line is emitted only now: the file is off every path and quiet.
    if (flushPartial && !(await this.reader.flush(f))) return;
    this.active.delete(f.key);
    const fh = f.fh;
    f.fh = null;
    await fh?.close().catch(() => {});
    this.retired.push(f);
    this.settleRetired();
    this.ctx.logger.debug({ path: f.path, offset: f.readPos }, 'closed file');
  }

  /** Closed files whose batches are all finalized become plain records. */
  private settleRetired(): void {
    if (this.retired.length === 0) return;
    const still: FileState[] = [];
    for (const f of this.retired) {
      if (f.acks.inFlight > 0) still.push(f);
      else if (!this.active.has(f.key)) this.known.set(f.key, f.record());
    }
    this.retired = still;
    this.dirty = true;
  }

  private housekeeping(): void {
    const now = Date.now();
    let lag = 0;
    for (const f of this.active.values()) lag = Math.max(lag, f.lagSeconds(now));
    this.ctx.metrics.lag(lag);
    this.settleRetired();
    if (this.dirty && now - this.lastSave >= this.config.checkpoint_interval_ms) void this.persist(false);
  }

  private records(): CheckpointRecord[] {
    const now = Date.now();
    const out = new Map<string, CheckpointRecord>();
    for (const [key, r] of this.known) {
      if (now - r.seen_ms > RECORD_RETENTION_MS) this.known.delete(key);
      else out.set(key, r);
    }
    for (const f of this.retired) out.set(f.key, f.record());
    for (const f of this.active.values()) out.set(f.key, f.record()); // an open file wins a reused identity
    return [...out.values()];
  }

  /** Writes the checkpoint (serialized: one write at a time). */
  private persist(force: boolean): Promise<void> {
    this.saving = this.saving.then(async () => {
      if (!this.dirty && !force) return;
      this.dirty = false;
      this.lastSave = Date.now();
      try {
        await this.store.save(this.records());
      } catch (err) {
        this.dirty = true;
        this.ctx.metrics.error('checkpoint_write_failed', 'receiving');
        this.ctx.logger.error({ err: errorMessage(err), path: this.store.path }, 'cannot write checkpoint');
      }
    });
    return this.saving;
  }
}
