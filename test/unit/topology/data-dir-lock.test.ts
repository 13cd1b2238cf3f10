import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirLock, LOCK_FILE } from '../../../src/topology/data-dir-lock.js';
import { EdgetailError } from '../../../src/core/errors.js';
import { tempDir } from '../../helpers/context.js';

function withDir(fn: (dir: string) => Promise<void> | void) {
  return async () => {
    const d = tempDir();
    try {
      await fn(d.path);
    } finally {
      d.cleanup();
    }
  };
}

function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

const isLocked = (dir: string, pid: number) => (err: unknown) =>
  err instanceof EdgetailError && err.code === 'DATA_DIR_LOCKED' && err.message.includes(dir) && err.message.includes(`pid ${pid}`);

describe('data_dir lock', () => {
  test('acquire writes our pid; release removes it; a second acquire in the same process is refused', withDir((dir) => {
    const lock = DataDirLock.acquire(dir);
    const content = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; start: string };
    assert.equal(content.pid, process.pid);
    assert.equal(content.start, startTime(process.pid));
    assert.throws(() => DataDirLock.acquire(dir), isLocked(dir, process.pid));
    lock.release();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
    lock.release(); // idempotent
    DataDirLock.acquire(dir).release();
    assert.deepEqual(readdirSync(dir), [], 'no temporary files left behind');
  }));

  test('a lock held by another live process is refused, naming data_dir and the pid', withDir(async (dir) => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const pid = child.pid!;
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, start: startTime(pid) }) + '\n');
      assert.throws(() => DataDirLock.acquire(dir), isLocked(dir, pid));
      assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, pid, 'the owner keeps its lock');
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    // The owner is gone now (as after kill -9): its lock is stale and taken over.
    const lock = DataDirLock.acquire(dir);
    assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
    lock.release();
  }));

  test('stale locks are taken over: dead pid, a pid reused by another program, our own pid, garbage', withDir(async (dir) => {
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await once(dead, 'exit');
    const stale = [
      JSON.stringify({ pid: dead.pid }),
      JSON.stringify({ pid: process.ppid, start: '1' }), // alive, but started at another time: not the owner
      JSON.stringify({ pid: process.pid, start: startTime(process.pid) }), // a previous incarnation with our pid
      '{"pid":',
      '',
    ];
    for (const text of stale) {
      writeFileSync(join(dir, LOCK_FILE), text);
      const lock = DataDirLock.acquire(dir);
      assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid, `taken over: ${text}`);
      lock.release();
    }
    assert.deepEqual(readdirSync(dir), []);
  }));

  test('release leaves a lock alone that is no longer ours', withDir((dir) => {
    const lock = DataDirLock.acquire(dir);
    const other = JSON.stringify({ pid: process.ppid, start: startTime(process.ppid) }) + '\n';
    writeFileSync(join(dir, LOCK_FILE), other);
    lock.release();
    assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), other);
  }));
});
