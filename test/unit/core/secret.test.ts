import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Secret } from '../../../src/core/secret.js';

test('a Secret never prints its value', () => {
  const s = new Secret('hunter2-token');
  assert.equal(s.reveal(), 'hunter2-token');
  for (const shown of [String(s), `${s}`, JSON.stringify({ token: s }), inspect({ token: s }), inspect(s)]) {
    assert.ok(!shown.includes('hunter2'), shown);
  }
  assert.equal(JSON.stringify({ token: s }), '{"token":"[secret]"}');
  assert.equal(new Secret('').isEmpty, true);
});
