import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, waitFor } from '../../../helpers/context.js';
import { describeFiles, harness, identity, startSource } from './harness.js';

test('rename rotation: the old file is read to its end, the new one from 0', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'app.log');
  writeFileSync(file, 'a1\n');
  const h = harness(d.path);
  const src = await startSource(h, { include: [file], rotate_wait_ms: 100 });
  t.after(() => src.close?.());
  await waitFor(() => h.lines().length === 1, 'a1');
  const oldKey = identity(file);
  renameSync(file, `${file}.1`); // no longer matches include
  appendFileSync(`${file}.1`, 'a2\n'); // the writer still holds the old file for a moment
  writeFileSync(file, 'b1\n');
  await waitFor(() => h.lines().length === 3, 'a2 and b1');
  assert.deepEqual(h.lines().sort(), ['a1', 'a2', 'b1']);
  const newKey = identity(file);
  assert.notEqual(newKey, oldKey);
  const b1 = h.batches.flatMap((b) => b.events).find((e) => e.raw === 'b1')!;
  assert.equal(b1.id, `tail:${newKey}-0:0`);
  await waitFor(() => describeFiles(src).length === 1 && describeFiles(src)[0]!.identity === `${newKey}-0`, 'old file closed');
});

test('copytruncate: a file shrinking below the offset is read again from 0, counted', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'ct.log');
  writeFileSync(file, 'old 1\nold 2\n');
  const h = harness(d.path);
  const src = await startSource(h, { include: [file] });
  t.after(() => src.close?.());
  await waitFor(() => h.lines().length === 2, 'old lines');
  truncateSync(file, 0);
  await waitFor(() => h.metrics.counts.errors['file_truncated/receiving'] === 1, 'truncation noticed');
  appendFileSync(file, 'new 1\n');
  await waitFor(() => h.lines().length === 3, 'new line');
  const ev = h.batches.at(-1)!.events[0]!;
  assert.equal(ev.raw, 'new 1');
  assert.equal(ev.id, `tail:${identity(file)}-1:0`);
});

test('copytruncate noticed by the head fingerprint even when the file regrew past the offset', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'regrow.log');
  writeFileSync(file, 'aaaa\n');
  const h = harness(d.path);
  const src = await startSource(h, { include: [file] });
  t.after(() => src.close?.());
  await waitFor(() => h.lines().length === 1, 'first');
  // Truncate and rewrite more than was read before the reader looks again (one write: no gap to notice).
  writeFileSync(file, 'bbbb\ncccc\n');
  await waitFor(() => h.lines().length === 3, 'rewritten lines');
  assert.deepEqual(h.lines(), ['aaaa', 'bbbb', 'cccc']);
  assert.equal(h.metrics.counts.errors['file_truncated/receiving'], 1);
});

test('lag is reported and returns to 0 once every file is read', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'lag.log');
  writeFileSync(file, 'x\n');
  const h = harness(d.path);
  h.metrics.counts.lag = -1; // sentinel: proves lag() was called
  const src = await startSource(h, { include: [file], checkpoint_interval_ms: 20 });
  t.after(() => src.close?.());
  await waitFor(() => h.lines().length === 1, 'line');
  await waitFor(() => h.metrics.counts.lag === 0, 'lag reported as 0');
});
