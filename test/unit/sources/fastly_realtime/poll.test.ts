import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyPoll } from '../../../../src/sources/fastly_realtime/poll.js';

const j = (v: unknown) => Buffer.from(JSON.stringify(v));

test('classifies rt API answers', () => {
  assert.deepEqual(classifyPoll(200, {}, j({ Timestamp: 5, Data: [{ recorded: 5 }] })), { kind: 'data', timestamp: 5, data: [{ recorded: 5 }] });
  assert.deepEqual(classifyPoll(200, {}, j({ Timestamp: 5, Data: [], error: 'No data available, please retry' })), { kind: 'no_data', timestamp: 5 });
  assert.deepEqual(classifyPoll(200, {}, j({ Data: [], error: 'no data available' })), { kind: 'no_data', timestamp: undefined });
  assert.deepEqual(classifyPoll(200, {}, j({ Timestamp: 5, Data: [] })), { kind: 'no_data', timestamp: 5 });
  assert.deepEqual(classifyPoll(200, {}, j({ Timestamp: 5, error: 'service not found' })), { kind: 'error', reason: 'rt API error: service not found' });
  assert.deepEqual(classifyPoll(200, {}, j({ Data: [{}] })), { kind: 'error', reason: 'response has no Timestamp' });
  assert.deepEqual(classifyPoll(200, {}, j({ Timestamp: 5 })), { kind: 'error', reason: 'response has no Data array' });
  assert.deepEqual(classifyPoll(200, {}, Buffer.from('<html>')), { kind: 'error', reason: 'response is not JSON: <html>' });
  assert.deepEqual(classifyPoll(200, {}, j([1])), { kind: 'error', reason: 'response is not a JSON object' });
  assert.deepEqual(classifyPoll(401, {}, j({ msg: 'no' })), { kind: 'unauthorized', status: 401, reason: 'HTTP 401: {"msg":"no"}' });
  assert.deepEqual(classifyPoll(403, {}, Buffer.alloc(0)), { kind: 'unauthorized', status: 403, reason: 'HTTP 403' });
  assert.deepEqual(classifyPoll(429, { 'retry-after': '9' }, Buffer.alloc(0)), { kind: 'error', reason: 'HTTP 429', afterMs: 9000 });
  assert.deepEqual(classifyPoll(500, {}, Buffer.from('boom')), { kind: 'error', reason: 'HTTP 500: boom' });
});
