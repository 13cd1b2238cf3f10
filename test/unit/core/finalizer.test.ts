import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Finalizer, type BatchStatus } from '../../../src/core/finalizer.js';

test('fires once, when the last reference is released, with the worst status', () => {
  const seen: BatchStatus[] = [];
  const f = new Finalizer((s) => seen.push(s));
  f.retain(2); // two sinks
  f.release(); // the creator's reference
  assert.deepEqual(seen, []);
  f.release('dropped');
  assert.deepEqual(seen, []);
  f.release('delivered');
  assert.deepEqual(seen, ['dropped']);
  assert.equal(f.done, true);
  assert.throws(() => f.release(), /released more times than retained/);
  assert.throws(() => f.retain(), /after completion/);
});

test('errored outranks dropped outranks delivered', () => {
  let got: BatchStatus | undefined;
  const f = new Finalizer((s) => (got = s));
  f.retain(2);
  f.release('errored');
  f.release('dropped');
  f.release('delivered');
  assert.equal(got, 'errored');
});
