import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordDedupe } from '../../../src/live/dedupe.js';

test('remembers keys, forgets the oldest beyond the bound, and those out of the window', () => {
  const d = new RecordDedupe(3);
  const k = (n: number) => RecordDedupe.key('svc', 'agent', n);
  d.add(k(1), 100, 0);
  d.add(k(2), 101, 0);
  d.add(k(3), 102, 0);
  assert.ok(d.has(k(1)) && d.has(k(3)));
  d.add(k(4), 103, 0);
  assert.equal(d.has(k(1)), false);
  assert.equal(d.evicted, 1);
  assert.equal(d.size, 3);
  // The window moved past 102: entries of seconds 101, 102 go.
  d.add(k(5), 110, 103);
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => d.has(k(n))), [false, false, false, true, true]);
  assert.equal(d.evicted, 1);
  // Same agent and sequence under another service is another record.
  assert.equal(d.has(RecordDedupe.key('other', 'agent', 5)), false);
});
