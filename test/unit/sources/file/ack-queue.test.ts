import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AckQueue } from '../../../../src/sources/file/ack-queue.js';

test('commits only the finalized prefix, whatever the finalization order', () => {
  const q = new AckQueue(0);
  let commits = 0;
  q.onCommit = () => { commits++; };
  const a = q.add(10);
  const b = q.add(20);
  const c = q.add(30);
  c();
  assert.equal(q.committed, 0);
  b();
  assert.equal(q.committed, 0);
  assert.equal(commits, 0);
  a();
  assert.equal(q.committed, 30);
  assert.equal(commits, 1);
  assert.equal(q.inFlight, 0);
});

test('skip advances at once when nothing is in flight, otherwise queues behind', () => {
  const q = new AckQueue(5);
  q.skip(8);
  assert.equal(q.committed, 8);
  const a = q.add(12);
  q.skip(15);
  assert.equal(q.committed, 8);
  a();
  assert.equal(q.committed, 15);
});

test('cancelLast forgets a batch that was never handed over', () => {
  const q = new AckQueue(0);
  const a = q.add(10);
  q.add(20);
  q.cancelLast();
  a();
  assert.equal(q.committed, 10);
  assert.equal(q.inFlight, 0);
});
