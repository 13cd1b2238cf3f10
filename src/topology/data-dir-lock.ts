/**
 * One edgetail per data_dir: `data_dir/.lock` holds the owner's pid (and, on Linux, the process
 * start time, so that a pid reused by another program after a crash is not mistaken for the owner).
 * Two instances on one data_dir would interleave disk buffer segments, ledgers and file
 * checkpoints; the second one refuses to start with DATA_DIR_LOCKED naming the directory and pid.
 *
 * The lock is created with O_EXCL (via link(2) of a complete temporary file, so that nobody ever
 * reads a half-written lock). A lock whose owner is gone (kill -9, power loss) is stale and taken
 * over: it is renamed aside, checked to be the one judged stale (else put back), and removed.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EdgetailError } from '../core/errors.js';

export const LOCK_FILE = '.lock';

/** Locks this process holds (a second topology on the same data_dir in one process is refused too). */
const heldHere = new Set<string>();

interface Owner {
  pid: number;
  /** /proc/<pid>/stat starttime (clock ticks since boot); undefined where /proc is unavailable. */
  start: string | undefined;
}

export class DataDirLock {
  private released = false;

  private constructor(
    readonly path: string,
    private readonly content: string,
  ) {}

  /** Takes the lock of `dataDir` (which must exist); throws DATA_DIR_LOCKED when it is in use. */
  static acquire(dataDir: string): DataDirLock {
    const path = join(dataDir, LOCK_FILE);
    if (heldHere.has(path)) throw locked(dataDir, path, process.pid);
    const content = JSON.stringify({ pid: process.pid, start: startTime(process.pid) }) + '\n';
    for (let attempt = 0; attempt < 5; attempt++) {
      if (tryCreate(path, content)) {
        heldHere.add(path);
        return new DataDirLock(path, content);
      }
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
        throw err;
      }
      const owner = parseOwner(text);
      if (owner !== undefined && isAlive(owner)) throw locked(dataDir, path, owner.pid);
      takeOverStale(path, text);
    }
    throw new EdgetailError('DATA_DIR_LOCKED', `data_dir ${dataDir} is being locked by other processes at the same time (lock file ${path}); try again`);
  }

  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.path);
    try {
      if (readFileSync(this.path, 'utf8') === this.content) unlinkSync(this.path);
    } catch {
      // already gone: nothing to release
    }
  }
}

function locked(dataDir: string, path: string, pid: number): EdgetailError {
  return new EdgetailError('DATA_DIR_LOCKED', `data_dir ${dataDir} is in use by another edgetail process (pid ${pid}, lock file ${path}); give each instance its own data_dir`);
}

/** O_EXCL creation of a complete lock file: false when one exists. */
function tryCreate(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  const fd = openSync(tmp, 'wx');
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** Moves a stale lock out of the way, unless someone replaced it since it was read. */
function takeOverStale(path: string, staleText: string): void {
  const aside = `${path}.stale.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it
    throw err;
  }
  if (readFileSync(aside, 'utf8') !== staleText) {
    // A live lock created after we read the stale one: put it back (the next attempt sees it).
    try {
      linkSync(aside, path);
    } catch {
      // a third process got in meanwhile; the next attempt sees its lock
    }
  }
  unlinkSync(aside);
}

function parseOwner(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text) as { pid?: unknown; start?: unknown };
    if (typeof o.pid !== 'number' || !Number.isInteger(o.pid) || o.pid <= 0) return undefined;
    return { pid: o.pid, start: typeof o.start === 'string' ? o.start : undefined };
  } catch {
    return undefined; // a torn or foreign file: treat as stale
  }
}

function isAlive(owner: Owner): boolean {
  // Our own pid in a lock we do not hold: a previous incarnation (containers restart as pid 1).
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTime(owner.pid);
  return owner.start === undefined || now === undefined || now === owner.start;
}

/** Field 22 of /proc/<pid>/stat; undefined off Linux. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
