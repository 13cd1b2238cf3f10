import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { compress, contentEncodingFor } from '../../../src/delivery/compress.js';

test('none returns the same bytes', async () => {
  assert.deepEqual(await compress('héllo\n', { compression: 'none' }), Buffer.from('héllo\n', 'utf8'));
  const b = Buffer.from('x');
  assert.equal(await compress(b, { compression: 'none' }), b);
});

test('gzip round-trips at the default and at an explicit level', async () => {
  const body = '{"a":1}\n'.repeat(1000);
  for (const level of [undefined, 1, 9]) {
    const gz = await compress(body, { compression: 'gzip', compression_level: level });
    assert.equal(gz[0], 0x1f);
    assert.equal(gz[1], 0x8b);
    assert.ok(gz.length < body.length / 10);
    assert.equal(gunzipSync(gz).toString(), body);
  }
});

test('content encoding header', () => {
  assert.equal(contentEncodingFor('gzip'), 'gzip');
  assert.equal(contentEncodingFor('none'), undefined);
});
