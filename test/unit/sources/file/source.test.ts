import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, waitFor } from '../../../helpers/context.js';
import { describeFiles, harness, identity, startSource } from './harness.js';

test('reads the lines of existing files as raw events with stable ids', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'a.log');
  writeFileSync(file, 'first line\nsecond\n');
  const h = harness(d.path);
  const src = await startSource(h, { include: [join(d.path, '*.log')] });
  t.after(() => src.close?.());
  await waitFor(() => h.lines().length === 2, 'two lines');
  const [a, b] = h.batches.flatMap((x) => x.events);
  const key = identity(file);
  assert.equal(a!.raw, 'first line');
  assert.deepEqual(a!.fields, { message: 'first line' });
  assert.equal(a!.id, `tail:${key}-0:0`);
  assert.equal(a!.source, 'tail');
  assert.equal(b!.id, `tail:${key}-0:11`);
  assert.equal(h.metrics.counts.received, 2);
  appendFileSync(file, 'third\n');
  await waitFor(() => h.lines().length === 3, 'appended line');
  assert.deepEqual(h.lines(), ['first line', 'second', 'third']);
});

test('start_at end skips existing content of files present at startup only', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const old = join(d.path, 'old.log');
  writeFileSync(old, 'before 1\nbefore 2\n');
  const h = harness(d.path);
  const src = await startSource(h, { include: [join(d.path, '*.log')], start_at: 'end' });
  t.after(() => src.close?.());
  appendFileSync(old, 'after\n');
  writeFileSync(join(d.path, 'new.log'), 'new file line\n'); // appears later: read from its beginning
  await waitFor(() => h.lines().length === 2, 'two lines');
  assert.deepEqual(h.lines().sort(), ['after', 'new file line']);
});

test('exclude removes matching files; files in new directories matched by ** are found', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  writeFileSync(join(d.path, 'keep.log'), 'keep\n');
  writeFileSync(join(d.path, 'skip.log'), 'skip\n');
  const h = harness(d.path);
  const src = await startSource(h, { include: [join(d.path, '**/*.log')], exclude: ['**/skip.log'] });
  t.after(() => src.close?.());
  mkdirSync(join(d.path, 'sub'));
  writeFileSync(join(d.path, 'sub', 'later.log'), 'later\n');
  writeFileSync(join(d.path, 'sub', 'skip.log'), 'skip too\n');
  await waitFor(() => h.lines().length === 2, 'two lines');
  // Every included file has been fully read once describe shows both at their end.
  await waitFor(() => describeFiles(src).length === 2 && describeFiles(src).every((f) => f.read_offset > 0), 'files read');
  assert.deepEqual(h.lines().sort(), ['keep', 'later']);
});

test('a partial last line waits for its newline; \\r\\n is stripped', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'p.log');
  writeFileSync(file, 'whole\r\npart');
  const h = harness(d.path);
  const src = await startSource(h, { include: [file] });
  t.after(() => src.close?.());
  await waitFor(() => describeFiles(src)[0]?.read_offset === 11, 'partial bytes read');
  assert.deepEqual(h.lines(), ['whole']);
  assert.equal(describeFiles(src)[0]!.checkpoint_offset, 7); // after 'whole\r\n', never inside 'part'
  appendFileSync(file, 'ial\r\n');
  await waitFor(() => h.lines().length === 2, 'completed line');
  assert.deepEqual(h.lines(), ['whole', 'partial']);
  assert.equal(h.batches[1]!.events[0]!.id, `tail:${identity(file)}-0:7`);
});

test('lines longer than max_line_bytes are emitted truncated and counted', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'long.log');
  const long = 'x'.repeat(5000); // longer than the 1024-byte read buffer: crosses chunks
  writeFileSync(file, `short\n${long}\n${'y'.repeat(20)}\nend\n`);
  const h = harness(d.path);
  const src = await startSource(h, { include: [file], max_line_bytes: 10, read_buffer_bytes: 1024 });
  t.after(() => src.close?.());
  await waitFor(() => h.lines().length === 4, 'four lines');
  assert.deepEqual(h.lines(), ['short', 'x'.repeat(10), 'y'.repeat(10), 'end']);
  assert.equal(h.metrics.counts.errors['line_truncated/receiving'], 2);
  assert.equal(h.batches.flatMap((b) => b.events)[3]!.id, `tail:${identity(file)}-0:${6 + 5001 + 21}`);
});

test('invalid UTF-8 is replaced with U+FFFD and counted per line', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'bin.log');
  writeFileSync(file, Buffer.concat([Buffer.from('ok\n'), Buffer.from([0x61, 0xc3, 0x28, 0x62]), Buffer.from('\n'), Buffer.from([0xff]), Buffer.from('\nfine\n')]));
  const h = harness(d.path);
  const src = await startSource(h, { include: [file] });
  t.after(() => src.close?.());
  await waitFor(() => h.lines().length === 4, 'four lines');
  assert.deepEqual(h.lines(), ['ok', 'a\uFFFD(b', '\uFFFD', 'fine']);
  assert.equal(h.metrics.counts.errors['invalid_utf8/receiving'], 2);
});

test('batches hold at most max_batch_events events', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'many.log');
  writeFileSync(file, Array.from({ length: 25 }, (_, i) => `line ${i}\n`).join(''));
  const h = harness(d.path);
  const src = await startSource(h, { include: [file], max_batch_events: 10 });
  t.after(() => src.close?.());
  await waitFor(() => h.lines().length === 25, '25 lines');
  assert.deepEqual(h.batches.map((b) => b.events.length), [10, 10, 5]);
});

test('a file deleted with an unterminated last line: the rest is read and the line emitted', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 'gone.log');
  writeFileSync(file, 'a\nno newline');
  const h = harness(d.path);
  const src = await startSource(h, { include: [file], rotate_wait_ms: 50 });
  t.after(() => src.close?.());
  await waitFor(() => h.lines().length === 1, 'first line');
  const { unlinkSync } = await import('node:fs');
  unlinkSync(file);
  await waitFor(() => h.lines().length === 2, 'flushed last line');
  assert.deepEqual(h.lines(), ['a', 'no newline']);
  await waitFor(() => describeFiles(src).length === 0, 'file closed');
});

test('stop() waits for the emit in flight and reads nothing more', async (t) => {
  const d = tempDir();
  t.after(d.cleanup);
  const file = join(d.path, 's.log');
  writeFileSync(file, 'one\ntwo\n');
  const h = harness(d.path, false);
  let unblock!: () => void;
  const blocked = new Promise<void>((r) => { unblock = r; });
  const emit = h.ctx.emit;
  h.ctx.emit = async (events, fin) => { await emit(events, fin); await blocked; };
  const src = await startSource(h, { include: [file] });
  t.after(() => src.close?.());
  await waitFor(() => h.batches.length === 1, 'first emit');
  let stopped = false;
  const stopping = src.stop().then(() => { stopped = true; });
  appendFileSync(file, 'three\n');
  await new Promise((r) => setImmediate(r));
  assert.equal(stopped, false);
  unblock();
  await stopping;
  assert.equal(h.batches.length, 1);
});
