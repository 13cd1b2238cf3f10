/**
 * Checkpoints on disk: `${dataDir}/checkpoints/${id}.json`, replaced atomically (write a temp file,
 * fsync it, rename over the old one, fsync the directory), so a crash at any moment leaves either
 * the old or the new complete file.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

/** One file's progress. `offset` is always the start of a line no earlier line of which is unfinalized. */
export interface CheckpointRecord {
  /** `${dev}-${ino}` (decimal). */
  key: string;
  /** Bumped each time the identity is reused by different content (inode reuse, copytruncate). */
  gen: number;
  offset: number;
  fp_len: number;
  fp_hash: string;
  /** Last path the file was seen at (informational). */
  path: string;
  /** When the file was last seen at an included path (epoch ms); stale records are pruned. */
  seen_ms: number;
}

interface CheckpointDocument {
  version: 1;
  source: string;
  files: CheckpointRecord[];
}

function isRecord(v: unknown): v is CheckpointRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.key === 'string' && Number.isSafeInteger(r.gen) && Number.isSafeInteger(r.offset) && (r.offset as number) >= 0
    && Number.isSafeInteger(r.fp_len) && typeof r.fp_hash === 'string' && typeof r.path === 'string' && typeof r.seen_ms === 'number';
}

export class CorruptCheckpointError extends Error {}

/** File-system-safe name for a component id. */
export function checkpointName(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export class CheckpointStore {
  readonly dir: string;
  readonly path: string;
  private readonly source: string;

  constructor(dataDir: string, id: string) {
    this.dir = join(dataDir, 'checkpoints');
    this.path = join(this.dir, `${checkpointName(id)}.json`);
    this.source = id;
  }

  /** The stored records; [] when there is no checkpoint yet. Throws CorruptCheckpointError. */
  async load(): Promise<CheckpointRecord[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new CorruptCheckpointError(`${this.path}: not valid JSON`);
    }
    const files = (doc as Partial<CheckpointDocument> | null)?.files;
    if (!Array.isArray(files) || !files.every(isRecord)) throw new CorruptCheckpointError(`${this.path}: unexpected shape`);
    return files;
  }

  /** Moves an unreadable checkpoint aside (kept for inspection) so that a fresh one can be written. */
  async quarantine(): Promise<string> {
    const aside = `${this.path}.corrupt-${Date.now()}`;
    await rename(this.path, aside);
    return aside;
  }

  async save(files: CheckpointRecord[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const doc: CheckpointDocument = { version: 1, source: this.source, files };
    const tmp = `${this.path}.tmp-${process.pid}`;
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(JSON.stringify(doc));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
