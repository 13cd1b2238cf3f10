import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Framer, type Frame } from '../../../../src/sources/syslog/framing.js';

function frameAll(mode: 'auto' | 'octet_counting' | 'newline', chunks: (string | Buffer)[], max = 1000): { frames: Frame[]; ok: boolean; end: string; framer: Framer } {
  const f = new Framer(mode, max);
  const frames: Frame[] = [];
  let ok = true;
  for (const c of chunks) ok = f.push(Buffer.isBuffer(c) ? c : Buffer.from(c), frames) && ok;
  const end = f.end(frames);
  return { frames, ok, end, framer: f };
}
const texts = (fs: Frame[]) => fs.map((f) => f.text);

test('newline framing: LF and CRLF, split across chunks, last line without LF kept at end', () => {
  const r = frameAll('newline', ['<1>a b c: one\r\n<1>a b', ' c: two\n\n<1>x y z: three']);
  assert.deepEqual(texts(r.frames), ['<1>a b c: one', '<1>a b c: two', '<1>x y z: three']);
  assert.equal(r.end, 'ok');
});

test('octet counting: frames split at any byte, including inside the length', () => {
  const m1 = '<134>1 2024-01-01T00:00:00Z h app - - - hello';
  const m2 = '<13>Jan  2 03:04:05 host tag: héllo'; // é = 2 bytes: lengths are bytes
  const wire = `${Buffer.byteLength(m1)} ${m1}${Buffer.byteLength(m2)} ${m2}`;
  const buf = Buffer.from(wire);
  for (let cut = 1; cut < buf.length; cut++) {
    const r = frameAll('octet_counting', [buf.subarray(0, cut), buf.subarray(cut)]);
    assert.deepEqual(texts(r.frames), [m1, m2], `cut at ${cut}`);
  }
});

test('auto: digits + space → octet counting; < or a token → newline', () => {
  const oc = frameAll('auto', ['5 <1>ab3 <2>']);
  assert.equal(oc.framer.framing, 'octet_counting');
  assert.deepEqual(texts(oc.frames), ['<1>ab', '<2>']);
  const nl = frameAll('auto', ['<1>x y z: a\n']);
  assert.equal(nl.framer.framing, 'newline');
  // A token that starts with digits (as in the Fastly sample) is not a length.
  const tok = frameAll('auto', ['4f3c2a1e-b0d9 <134>2023-07-24T16:00:01Z cache-jfk8145 e[1]: x\n']);
  assert.equal(tok.framer.framing, 'newline');
  assert.equal(tok.frames.length, 1);
  // Undecided until the byte after the digits arrives.
  const f = new Framer('auto', 100);
  const out: Frame[] = [];
  f.push(Buffer.from('11'), out);
  assert.equal(f.framing, undefined);
  f.push(Buffer.from(' <1>abcdefgh'), out);
  assert.equal(f.framing, 'octet_counting');
  assert.deepEqual(texts(out), ['<1>abcdefgh']);
});

test('octet counting: oversize frame cut to max bytes, flagged, next frame intact', () => {
  const big = 'x'.repeat(50);
  const r = frameAll('octet_counting', [`50 ${big.slice(0, 20)}`, `${big.slice(20)}3 abc`], 16);
  assert.deepEqual(r.frames, [
    { text: 'x'.repeat(16), truncated: true, bytes: 50 },
    { text: 'abc', truncated: false, bytes: 3 },
  ]);
});

test('newline: an over-long line is cut, the rest of it skipped, framing continues', () => {
  const r = frameAll('newline', ['y'.repeat(10), 'y'.repeat(30), 'y'.repeat(5) + '\nok\n'], 16);
  assert.deepEqual(r.frames.map((f) => [f.text, f.truncated]), [['y'.repeat(16), true], ['ok', false]]);
  const r2 = frameAll('newline', ['z'.repeat(20) + '\nok\n'], 16);
  assert.deepEqual(r2.frames.map((f) => [f.text, f.truncated]), [['z'.repeat(16), true], ['ok', false]]);
});

test('a cut through a multi-byte character drops the broken character', () => {
  const r = frameAll('newline', ['ab' + 'é'.repeat(10) + '\n'], 5); // a b é(2) é(2) | é…
  assert.deepEqual(texts(r.frames), ['abé']); // a b é = 4 bytes; the 5th is half of the next é
});

test('invalid octet count breaks framing; a partial frame at end is incomplete', () => {
  const bad = frameAll('octet_counting', ['5 <1>ab', 'x <1>']);
  assert.equal(bad.ok, false);
  assert.deepEqual(texts(bad.frames), ['<1>ab']);
  assert.equal(bad.framer.error, 'invalid octet count');
  const huge = frameAll('octet_counting', ['99999999999 <1>']);
  assert.equal(huge.ok, false);
  const partial = frameAll('octet_counting', ['10 <1>ab']);
  assert.equal(partial.end, 'incomplete');
  assert.deepEqual(partial.frames, []);
});

test('auto never buffers without bound while undecided', () => {
  const f = new Framer('auto', 100);
  const out: Frame[] = [];
  f.push(Buffer.from(' '.repeat(2000)), out);
  assert.equal(f.framing, 'newline');
});
