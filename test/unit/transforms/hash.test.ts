import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv1a32 } from '../../../src/transforms/hash.js';

/** murmur3 fmix32, written with BigInt arithmetic as an independent reference. */
function fmix32(h: bigint): number {
  const M = 0xffffffffn;
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & M;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & M;
  h ^= h >> 16n;
  return Number(h);
}

test('FNV-1a 32 (published test vectors) followed by fmix32', () => {
  // FNV-1a 32-bit vectors from the FNV reference (isthe.com/chongo/tech/comp/fnv): "" → 0x811c9dc5,
  // "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
  assert.equal(fnv1a32(''), fmix32(0x811c9dc5n));
  assert.equal(fnv1a32('a'), fmix32(0xe40c292cn));
  assert.equal(fnv1a32('foobar'), fmix32(0xbf9cf968n));
});

test('unsigned 32-bit and stable', () => {
  for (const s of ['203.0.113.50', '2001:db8:1::7', 'ünïcødé', 'x'.repeat(1000)]) {
    const h = fnv1a32(s);
    assert.ok(Number.isInteger(h) && h >= 0 && h <= 0xffffffff);
    assert.equal(fnv1a32(s), h);
  }
});
