import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Queue } from '../../../src/buffer/queue.js';

test('Queue behaves like an array used as a FIFO, across compactions', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 6000 }), (ops) => {
      const q = new Queue<number>();
      const model: number[] = [];
      for (const op of ops) {
        if (op === null) assert.equal(q.shift(), model.shift());
        else {
          q.push(op);
          model.push(op);
        }
        assert.equal(q.length, model.length);
        assert.equal(q.peek(), model[0]);
      }
      assert.deepEqual(q.drain(), model);
      assert.equal(q.length, 0);
    }),
    { numRuns: 50 },
  );
});

test('Queue compacts a long-consumed prefix (many pushes, then shifts)', () => {
  const q = new Queue<number>();
  for (let i = 0; i < 5000; i++) q.push(i);
  for (let i = 0; i < 4000; i++) assert.equal(q.shift(), i);
  assert.equal(q.length, 1000);
  assert.equal(q.peek(), 4000);
  q.push(5000);
  assert.deepEqual(q.drain().slice(-2), [4999, 5000]);
});
