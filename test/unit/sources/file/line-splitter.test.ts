import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineBatch, LineSplitter } from '../../../../src/sources/file/line-splitter.js';

type Result = { lines: string[]; starts: number[]; bytes: number[]; end: number; invalid: number; truncated: number; pending: boolean };

function runOnce(max: number, chunks: (string | Buffer)[], share: boolean): Result {
  const s = new LineSplitter(max);
  const out = new LineBatch();
  let pos = 0;
  for (const c of chunks) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    s.push(b, pos, out, share);
    pos += b.length;
  }
  return { lines: [...out.text], starts: [...out.start], bytes: [...out.bytes], end: out.end, invalid: out.invalidUtf8, truncated: out.truncated, pending: s.pending };
}

/** Splits both ways — a string per line, and (share) slices of one string per ASCII chunk — which must agree. */
function run(max: number, chunks: (string | Buffer)[]): Result {
  const own = runOnce(max, chunks, false);
  assert.deepEqual(runOnce(max, chunks, true), own, 'shared-chunk lines equal per-line strings');
  return own;
}

test('splits on \\n and strips \\r before it', () => {
  const r = run(100, ['a\r\nbb\ncc', 'c\r', '\nd']);
  assert.deepEqual(r.lines, ['a', 'bb', 'ccc']);
  assert.deepEqual(r.starts, [0, 3, 6]);
  assert.equal(r.end, 11); // 'a\r\n'(3) + 'bb\n'(3) + 'ccc\r\n'(5) = offset of 'd'
  assert.equal(r.pending, true);
});

test('a lone \\r inside a line is kept; empty lines are skipped but consumed', () => {
  const r = run(100, ['x\ry\n\n\r\nz\n']);
  assert.deepEqual(r.lines, ['x\ry', 'z']);
  assert.deepEqual(r.starts, [0, 7]);
  assert.equal(r.end, 9);
});

test('partial line spanning many chunks is joined', () => {
  const r = run(100, ['he', 'll', 'o wor', 'ld\nnext']);
  assert.deepEqual(r.lines, ['hello world']);
  assert.deepEqual(r.starts, [0]);
  assert.equal(r.end, 12);
});

test('overlong lines are truncated to max bytes, in one chunk and across chunks', () => {
  const r = run(5, ['abcdefgh\n12', '345678', '9\nok\n']);
  assert.deepEqual(r.lines, ['abcde', '12345', 'ok']);
  assert.equal(r.truncated, 2);
  assert.deepEqual(r.starts, [0, 9, 19]);
  assert.equal(r.end, 22);
});

test('a line of exactly max bytes plus \\r\\n is not truncated', () => {
  const r = run(3, ['abc\r\n', 'de', 'f\r', '\n']);
  assert.deepEqual(r.lines, ['abc', 'def']);
  assert.equal(r.truncated, 0);
});

test('truncation never splits a multi-byte character', () => {
  // 'é' is 2 bytes (c3 a9): 'aé' = 3 bytes; a cut at 2 bytes must back off to 'a'.
  const r = run(2, ['aé\n', 'aéé', 'x\n']);
  assert.deepEqual(r.lines, ['a', 'a']);
  assert.equal(r.truncated, 2);
  assert.equal(r.invalid, 0);
});

test('invalid UTF-8 becomes U+FFFD and is counted once per line', () => {
  const bad = Buffer.concat([Buffer.from('ok\nb'), Buffer.from([0xff, 0xfe]), Buffer.from('d\ngood\n')]);
  const r = run(100, [bad]);
  assert.deepEqual(r.lines, ['ok', 'b\uFFFD\uFFFDd', 'good']);
  assert.equal(r.invalid, 1);
});

test('a multi-byte character split across chunks is valid', () => {
  const euro = Buffer.from('€\n'); // e2 82 ac 0a
  const r = run(100, [euro.subarray(0, 1), euro.subarray(1, 3), euro.subarray(3)]);
  assert.deepEqual(r.lines, ['€']);
  assert.equal(r.invalid, 0);
});

test('flush emits the unterminated last line', () => {
  const s = new LineSplitter(100);
  const out = new LineBatch();
  s.push(Buffer.from('a\ntail'), 10, out);
  s.flush(out);
  assert.deepEqual(out.text, ['a', 'tail']);
  assert.deepEqual(out.start, [10, 12]);
  assert.equal(out.end, 16);
  assert.equal(s.pending, false);
});

test('shared chunks: ASCII and non-ASCII chunks, \r\n, truncation and partial lines agree with per-line decoding (property)', async () => {
  const fc = (await import('fast-check')).default;
  const piece = fc.oneof(fc.constantFrom('\n', '\r\n', '\r', 'é', '\u2028', '\ud83d\ude00', '{"a":1}'), fc.string({ maxLength: 12 }));
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 2, max: 40 }), (pieces, cuts, max) => {
      const all = Buffer.from(pieces.join(''));
      const chunks: Buffer[] = [];
      const step = Math.max(1, Math.ceil(all.length / cuts));
      for (let i = 0; i < all.length; i += step) chunks.push(all.subarray(i, i + step));
      run(max, chunks);
    }),
    { numRuns: 400 },
  );
});
