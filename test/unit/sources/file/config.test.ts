import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileSourceSchema } from '../../../../src/sources/file/config.js';

test('defaults fill every optional key', () => {
  assert.deepEqual(fileSourceSchema.parse({ type: 'file', include: ['/var/log/*.log'] }), {
    type: 'file',
    include: ['/var/log/*.log'],
    exclude: [],
    start_at: 'beginning',
    format: 'auto',
    max_line_bytes: 102400,
    glob_interval_ms: 1000,
    poll_interval_ms: 250,
    read_buffer_bytes: 262144,
    max_batch_events: 1000,
    parse_workers: 0,
    checkpoint_interval_ms: 100,
    fingerprint_bytes: 256,
    rotate_wait_ms: 5000,
  });
});

test('rejects unknown keys, empty include, bad enums', () => {
  assert.equal(fileSourceSchema.safeParse({ type: 'file', include: ['a'], bogus: 1 }).success, false);
  assert.equal(fileSourceSchema.safeParse({ type: 'file', include: [] }).success, false);
  assert.equal(fileSourceSchema.safeParse({ type: 'file', include: ['a'], start_at: 'middle' }).success, false);
  assert.equal(fileSourceSchema.safeParse({ type: 'file', include: ['a'], format: 'xml' }).success, false);
  assert.equal(fileSourceSchema.safeParse({ type: 'file', include: ['a'], max_line_bytes: 0 }).success, false);
});
