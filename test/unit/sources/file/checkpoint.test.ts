import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, waitFor } from '../../../helpers/context.js';
import { describeFiles, harness, identity, startSource, storedOffset } from './harness.js';

const lines = (n: number, from = 1): string => Array.from({ length: n }, (_, i) => `line-${String(i + from).padStart(2, '0')}\n`).join('');
// Each `line-NN\n` is 8 bytes, so line k (1-based) starts at offset 8 * (k - 1).

test('the checkpoint does not advance for an unfinalized batch, and advances once it is finalized', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'c.log');
  writeFileSync(file, lines(4));
  const h = harness(d.path, false);
  const src = await startSource(h, { include: [file] });
  t.after(() => src.close?.());
  const key = identity(file);
  await waitFor(() => h.lines().length === 4, 'lines emitted');
  // The discovery itself is checkpointed (offset 0) even though nothing is finalized.
  await waitFor(() => storedOffset(d.path, 'tail', key) === 0, 'initial checkpoint');
  assert.equal(describeFiles(src)[0]!.checkpoint_offset, 0);
  h.releaseAll();
  await waitFor(() => storedOffset(d.path, 'tail', key) === 32, 'checkpoint at end of line 4');
});

test('out-of-order finalization commits only the finalized prefix', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'o.log');
  writeFileSync(file, lines(6));
  const h = harness(d.path, false);
  const src = await startSource(h, { include: [file], max_batch_events: 2 });
  t.after(() => src.close?.());
  const key = identity(file);
  await waitFor(() => h.batches.length === 3, 'three batches');
  h.release(2);
  h.release(1);
  assert.equal(describeFiles(src)[0]!.checkpoint_offset, 0);
  h.release(0);
  assert.equal(describeFiles(src)[0]!.checkpoint_offset, 48);
  await waitFor(() => storedOffset(d.path, 'tail', key) === 48, 'stored');
  // Partial prefix: batches 4 and 6 of the next lines finalized, 5 not.
  writeFileSync(file, lines(6, 7), { flag: 'a' });
  await waitFor(() => h.batches.length === 6, 'six batches');
  h.release(3);
  h.release(5);
  assert.equal(describeFiles(src)[0]!.checkpoint_offset, 64);
  await waitFor(() => storedOffset(d.path, 'tail', key) === 64, 'stored 64');
});

test('restart resumes exactly after the last finalized line; unfinalized lines come again', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'r.log');
  writeFileSync(file, lines(6));
  const key = identity(file);

  const h1 = harness(d.path, false);
  const src1 = await startSource(h1, { include: [file], max_batch_events: 2 });
  await waitFor(() => h1.batches.length === 3, 'three batches');
  h1.release(0);
  h1.release(2); // batch 2 (lines 3-4) is never finalized: a crash would lose it otherwise
  await src1.stop();
  await src1.close?.();
  assert.equal(storedOffset(d.path, 'tail', key), 16);

  const h2 = harness(d.path, true);
  const src2 = await startSource(h2, { include: [file], max_batch_events: 2 });
  t.after(() => src2.close?.());
  await waitFor(() => h2.lines().length === 4, 'lines 3-6 again');
  assert.deepEqual(h2.lines(), ['line-03', 'line-04', 'line-05', 'line-06']);
  // Same ids as the first run: duplicates can be removed downstream.
  assert.deepEqual(
    h2.batches.flatMap((b) => b.events.map((e) => e.id)),
    h1.batches.slice(1).flatMap((b) => b.events.map((e) => e.id)),
  );
});

test('start_at end does not apply to a file known from the checkpoint', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'k.log');
  writeFileSync(file, lines(2));
  const h1 = harness(d.path);
  const src1 = await startSource(h1, { include: [file], start_at: 'end' });
  appendFileSync(file, lines(1, 3));
  await waitFor(() => h1.lines().length === 1, 'line 3');
  await src1.close?.();
  appendFileSync(file, lines(1, 4)); // written while stopped
  const h2 = harness(d.path);
  const src2 = await startSource(h2, { include: [file], start_at: 'end' });
  t.after(() => src2.close?.());
  await waitFor(() => h2.lines().length === 1, 'line 4');
  assert.deepEqual(h2.lines(), ['line-04']);
});

function appendFileSync(path: string, text: string): void {
  writeFileSync(path, text, { flag: 'a' });
}

function fp(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

function writeCheckpoint(dataDir: string, records: unknown[]): void {
  mkdirSync(join(dataDir, 'checkpoints'), { recursive: true });
  writeFileSync(join(dataDir, 'checkpoints', 'tail.json'), JSON.stringify({ version: 1, source: 'tail', files: records }));
}

test('inode reuse: a checkpoint for this dev+ino with another head fingerprint means a new file, read from 0', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'reuse.log');
  writeFileSync(file, lines(3));
  const key = identity(file);
  // What the checkpoint would hold for a deleted file whose inode the new one got.
  writeCheckpoint(d.path, [{ key, gen: 4, offset: 16, fp_len: 24, fp_hash: fp(Buffer.from('other file content, 24b\n')), path: file, seen_ms: Date.now() }]);
  const h = harness(d.path);
  const src = await startSource(h, { include: [file] });
  t.after(() => src.close?.());
  await waitFor(() => h.lines().length === 3, 'all three lines');
  assert.deepEqual(h.lines(), ['line-01', 'line-02', 'line-03']);
  assert.equal(h.batches[0]!.events[0]!.id, `tail:${key}-5:0`); // a new generation: ids never collide with the old file's
});

test('a checkpoint whose fingerprint matches resumes at its offset', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'same.log');
  writeFileSync(file, lines(3));
  const key = identity(file);
  writeCheckpoint(d.path, [{ key, gen: 2, offset: 16, fp_len: 24, fp_hash: fp(readFileSync(file).subarray(0, 24)), path: file, seen_ms: Date.now() }]);
  const h = harness(d.path);
  const src = await startSource(h, { include: [file] });
  t.after(() => src.close?.());
  await waitFor(() => h.lines().length === 1, 'line 3');
  assert.deepEqual(h.lines(), ['line-03']);
  assert.equal(h.batches[0]!.events[0]!.id, `tail:${key}-2:16`);
});

test('a corrupt checkpoint is moved aside and counted; reading starts afresh', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'x.log');
  writeFileSync(file, lines(1));
  mkdirSync(join(d.path, 'checkpoints'));
  writeFileSync(join(d.path, 'checkpoints', 'tail.json'), '{"version":1,"files":[{"key":');
  const h = harness(d.path);
  const src = await startSource(h, { include: [file] });
  t.after(() => src.close?.());
  await waitFor(() => h.lines().length === 1, 'line');
  assert.equal(h.metrics.counts.errors['checkpoint_corrupt/receiving'], 1);
  await waitFor(() => storedOffset(d.path, 'tail', identity(file)) === 8, 'fresh checkpoint');
  assert.ok(existsSync(join(d.path, 'checkpoints', 'tail.json')));
});
