/**
 * Acceptance test of the file source under rotation: a writer (worker thread) appends numbered
 * lines while the file is rotated (a) by rename and (b) by copytruncate. Rename must lose nothing;
 * copytruncate may lose only lines written between the copy and the truncate (the writer records
 * that window), which is inherent to copytruncate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Source, SourceContext } from '../../src/core/component.js';
import { fileSource, fileSourceSchema } from '../../src/sources/file/index.js';
import { tempDir, testContext, waitFor } from '../helpers/context.js';

const TOTAL = 60_000;
const EVERY = 9_000; // rotations at 9k, 18k, … 54k: 6 of them
const PAD = 'x'.repeat(48);
const LINE = new RegExp(`^L(\\d+):${PAD}$`);

// Plain JS (eval worker). Shared Int32Array: [0] lines written, [1] rotations done, [2] rotations allowed, [3] pacing.
const WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { path, total, every, mode, shared, pad } = workerData;
const s = new Int32Array(shared);
let fd = fs.openSync(path, 'a');
let n = 0;
function write() { n++; fs.writeSync(fd, 'L' + n + ':' + pad + '\\n'); Atomics.store(s, 0, n); }
const windows = [];
let rot = 0;
while (n < total) {
  write();
  if (n % 500 === 0) Atomics.wait(s, 3, 0, 2); // a busy application, not a flood
  if (n % every === 0 && n < total - 100) {
    rot++;
    if (mode === 'rename') {
      // Rotate only once the reader tails the current file (rotations are far apart in real life).
      while (Atomics.load(s, 2) < rot) Atomics.wait(s, 2, Atomics.load(s, 2), 50);
      fs.renameSync(path, path + '.' + rot);
      for (let k = 0; k < 20; k++) write(); // the app writes to the old file until it reopens
      fs.closeSync(fd);
      fd = fs.openSync(path, 'a');
    } else {
      const from = n + 1;
      fs.copyFileSync(path, path + '.' + rot);
      for (let k = 0; k < 50; k++) write(); // the app keeps writing while the rotator works
      fs.truncateSync(path, 0);
      windows.push([from, n]);
    }
    Atomics.store(s, 1, rot);
  }
}
fs.closeSync(fd);
parentPort.postMessage({ windows, rotations: rot });
`;

interface Tally {
  seen: Uint8Array;
  unique: number;
  duplicates: number;
  garbage: number;
}

function tallyingContext(dataDir: string, tally: Tally): SourceContext {
  const base = testContext('rot', 'file', dataDir);
  return {
    ...base,
    signal: new AbortController().signal,
    emit: async (events, finalizer) => {
      for (const ev of events) {
        const m = ev.type === 'log' ? LINE.exec(ev.raw ?? '') : null;
        if (!m) { tally.garbage++; continue; }
        const i = Number(m[1]);
        if (tally.seen[i]) tally.duplicates++;
        else { tally.seen[i] = 1; tally.unique++; }
      }
      finalizer?.release();
    },
  };
}

async function startTail(ctx: SourceContext, include: string[]): Promise<Source> {
  const config = fileSourceSchema.parse({
    type: 'file', include, format: 'raw', glob_interval_ms: 100, poll_interval_ms: 20, rotate_wait_ms: 300, checkpoint_interval_ms: 200,
  });
  const src = await fileSource.build(config, ctx);
  await src.start();
  return src;
}

function runWriter(path: string, mode: 'rename' | 'copytruncate', shared: SharedArrayBuffer): { done: Promise<{ windows: [number, number][]; rotations: number }>; worker: Worker } {
  const worker = new Worker(WRITER, { eval: true, workerData: { path, total: TOTAL, every: EVERY, mode, shared, pad: PAD } });
  const done = new Promise<{ windows: [number, number][]; rotations: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { done, worker };
}

function identityOf(path: string): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}-${st.ino}`;
  } catch {
    return undefined;
  }
}

function tailed(src: Source): Array<{ path: string; identity: string; read_offset: number }> {
  return (src.describe?.().files ?? []) as Array<{ path: string; identity: string; read_offset: number }>;
}

test('rename rotation while writing: no line is lost', { timeout: 180_000 }, async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const path = join(d.path, 'app.log');
  const tally: Tally = { seen: new Uint8Array(TOTAL + 1), unique: 0, duplicates: 0, garbage: 0 };
  const src = await startTail(tallyingContext(d.path, tally), [path]); // rotated names NOT included
  t.after(() => src.close?.());
  const shared = new SharedArrayBuffer(16);
  const s = new Int32Array(shared);
  const { done, worker } = runWriter(path, 'rename', shared);
  t.after(() => worker.terminate());
  const rotations = Math.floor((TOTAL - 101) / EVERY);
  for (let r = 1; r <= rotations; r++) {
    await waitFor(() => {
      const id = identityOf(path);
      return id !== undefined && tailed(src).some((f) => f.identity.startsWith(`${id}-`));
    }, `file ${r} tailed`, 60_000);
    Atomics.store(s, 2, r);
    Atomics.notify(s, 2);
    await waitFor(() => Atomics.load(s, 1) >= r, `rotation ${r}`, 60_000);
  }
  const result = await done;
  await waitFor(() => tally.unique === TOTAL, 'every line', 120_000);
  t.diagnostic(`rename: lines=${TOTAL} rotations=${result.rotations} seen=${tally.unique} lost=${TOTAL - tally.unique} duplicates=${tally.duplicates} garbage=${tally.garbage}`);
  assert.ok(result.rotations >= 5);
  assert.equal(tally.unique, TOTAL);
  assert.equal(tally.duplicates, 0);
  assert.equal(tally.garbage, 0);
  // Rotated files are closed once read and quiet for rotate_wait_ms.
  await waitFor(() => tailed(src).length === 1, 'rotated files closed', 60_000);
});

test('copytruncate while writing: only lines written between copy and truncate may be lost', { timeout: 180_000 }, async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const path = join(d.path, 'ct.log');
  const tally: Tally = { seen: new Uint8Array(TOTAL + 1), unique: 0, duplicates: 0, garbage: 0 };
  // The copies (ct.log.1, …) are included, as with logrotate's delaycompress: lines the reader had
  // not reached before a truncate are read from the copy.
  const src = await startTail(tallyingContext(d.path, tally), [path, `${path}.*`]);
  t.after(() => src.close?.());
  const shared = new SharedArrayBuffer(16);
  const { done, worker } = runWriter(path, 'copytruncate', shared);
  t.after(() => worker.terminate());
  const result = await done;
  const files = [path, ...Array.from({ length: result.rotations }, (_, i) => `${path}.${i + 1}`)];
  await waitFor(() => {
    const now = tailed(src);
    return files.every((p) => now.some((f) => f.path === p && f.read_offset === statSync(p).size));
  }, 'all files read to their end', 120_000);
  const atRisk = new Set<number>();
  for (const [from, to] of result.windows) for (let i = from; i <= to; i++) atRisk.add(i);
  const lost: number[] = [];
  for (let i = 1; i <= TOTAL; i++) if (!tally.seen[i]) lost.push(i);
  t.diagnostic(`copytruncate: lines=${TOTAL} rotations=${result.rotations} written_between_copy_and_truncate=${atRisk.size} lost=${lost.length} duplicates=${tally.duplicates} garbage=${tally.garbage}`);
  assert.ok(result.rotations >= 5);
  assert.deepEqual(lost.filter((i) => !atRisk.has(i)), [], 'lost lines outside the copy→truncate windows');
});
