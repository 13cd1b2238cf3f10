import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpaceSaving, WindowTopK, clientPrefix, mergeTop } from '../../../src/live/topk.js';

describe('SpaceSaving', () => {
  test('evicts the minimum and carries its count as the error', () => {
    const s = new SpaceSaving(2);
    for (const k of ['a', 'a', 'b', 'c']) s.add(k);
    // a=2 exact; c replaced b (count 1) → 1 + 1 = 2, err 1.
    assert.deepEqual(s.top(5), [
      { key: 'a', count: 2, err: 0 },
      { key: 'c', count: 2, err: 1 },
    ]);
    assert.equal(s.get('b'), undefined);
    assert.equal(s.total, 4);
  });

  test('finds the heavy hitters of a skewed stream exactly and respects the error bound', () => {
    // Per round of 20: h1 ×10, h2 ×5, h3 ×2 and 3 distinct singletons; 100 rounds (N = 2000).
    const round = ['h1', 'h2', 'h3', 'h1', 'h2', 'h3', 'h1', 'h2', 'h1', 'h2', 'h1', 'h2', 'h1', 'h1', 'h1', 'h1', 'h1'];
    const s = new SpaceSaving(10);
    const truth = new Map<string, number>();
    let n = 0;
    for (let r = 0; r < 100; r++) {
      const items = [...round, `s${r}a`, `s${r}b`, `s${r}c`];
      for (const k of items) {
        s.add(k);
        truth.set(k, (truth.get(k) ?? 0) + 1);
        n++;
      }
    }
    assert.equal(n, 2000);
    const top = s.top(3);
    assert.deepEqual(top, [
      { key: 'h1', count: 1000, err: 0 },
      { key: 'h2', count: 500, err: 0 },
      { key: 'h3', count: 200, err: 0 },
    ]);
    for (const [key, c] of s.entries()) {
      const t = truth.get(key)!;
      assert.ok(c.count - c.err <= t && t <= c.count, `${key}: ${t} outside [${c.count - c.err}, ${c.count}]`);
      assert.ok(c.err <= n / s.capacity, `${key}: err ${c.err} > N/capacity`);
    }
  });
});

describe('mergeTop', () => {
  test('sums counts and charges full sketches their minimum for absent keys', () => {
    const a = new SpaceSaving(2); // {a:2, b:1}, full, min 1
    for (const k of ['a', 'a', 'b']) a.add(k);
    const b = new SpaceSaving(2); // {c:3, b:1}, full, min 1
    for (const k of ['c', 'c', 'c', 'b']) b.add(k);
    const c = new SpaceSaving(2); // {a:1}, not full, min 0
    c.add('a');
    // a: 2 + (absent in full B: ≤1) + 1 = 4, lower 3. c: (≤1) + 3 + 0 = 4, lower 3. b: 1 + 1 + 0 = 2 exact.
    assert.deepEqual(mergeTop([a, b, c], 10), [
      { key: 'a', count: 4, err: 1 },
      { key: 'c', count: 4, err: 1 },
      { key: 'b', count: 2, err: 0 },
    ]);
    assert.deepEqual(mergeTop([a, b, c], 1), [{ key: 'a', count: 4, err: 1 }]);
  });
});

describe('WindowTopK', () => {
  test('merges the seconds of the window and forgets older ones', () => {
    const w = new WindowTopK(60, 10);
    for (let i = 0; i < 5; i++) w.add(100, 'x');
    for (let i = 0; i < 3; i++) w.add(150, 'y');
    w.add(150, 'x');
    assert.deepEqual(w.top(5, 150), [
      { key: 'x', count: 6, err: 0 },
      { key: 'y', count: 3, err: 0 },
    ]);
    // At 160 the window is (100, 160]: second 100 is gone.
    assert.deepEqual(w.top(5, 160), [
      { key: 'y', count: 3, err: 0 },
      { key: 'x', count: 1, err: 0 },
    ]);
    w.add(90, 'old'); // before the window: ignored
    assert.equal(w.top(5, 160).some((e) => e.key === 'old'), false);
  });
});

describe('clientPrefix', () => {
  test('/24 for IPv4, /48 for IPv6, anything else as is', () => {
    assert.equal(clientPrefix('203.0.113.77'), '203.0.113.0/24');
    assert.equal(clientPrefix('2001:db8:abcd:12::1'), '2001:db8:abcd::/48');
    assert.equal(clientPrefix('2001:0DB8:00ab:ffff:1:2:3:4'), '2001:db8:ab::/48');
    assert.equal(clientPrefix('::1'), '0:0:0::/48');
    assert.equal(clientPrefix('203.0.113.0/24'), '203.0.113.0/24');
    assert.equal(clientPrefix('redacted'), 'redacted');
    assert.equal(clientPrefix('203.0.113.x'), '203.0.113.x');
  });
});
