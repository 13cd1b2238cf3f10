import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileHandle } from 'node:fs/promises';
import { FileState } from '../../../../src/sources/file/file-state.js';
import { EMPTY_FINGERPRINT } from '../../../../src/sources/file/fingerprint.js';

function state(offset: number): FileState {
  return new FileState('src', '1-2', '/x.log', null as unknown as FileHandle, 0, EMPTY_FINGERPRINT, offset, 100, () => {}, 0);
}

test('lag = age of the oldest unread byte, from (size, time) samples', () => {
  const f = state(0);
  f.observe(100, 1_000, 1_000); // bytes [0, 100) existed at t=1s
  f.observe(200, 3_000, 3_000); // bytes [100, 200) existed at t=3s
  f.readPos = 50;
  assert.equal(f.lagSeconds(5_000), 4);
  f.readPos = 100;
  assert.equal(f.lagSeconds(5_000), 2);
  f.readPos = 200;
  assert.equal(f.lagSeconds(5_000), 0);
});

test('restart (copytruncate) starts a new generation at offset 0', () => {
  const f = state(40);
  assert.equal(f.idPrefix, 'src:1-2-0:');
  f.observe(80, 10, 10);
  f.restart({ len: 3, hash: 'abc' }, () => {});
  assert.equal(f.idPrefix, 'src:1-2-1:');
  assert.equal(f.readPos, 0);
  assert.equal(f.acks.committed, 0);
  assert.equal(f.lagSeconds(20), 0);
  assert.deepEqual(f.record(), { key: '1-2', gen: 1, offset: 0, fp_len: 3, fp_hash: 'abc', path: '/x.log', seen_ms: 0 });
});
