import { test } from 'node:test';
import assert from 'node:assert/strict';
import { challengeBody, makeAuthCheck } from '../../../../src/sources/http_server/auth.js';
import { Secret } from '../../../../src/core/secret.js';

test('header auth: missing → missing, other value → wrong, exact value → ok (header name case-insensitive via schema)', () => {
  const check = makeAuthCheck({ header: 'x-fastly-token', value: new Secret('s3cret') });
  assert.equal(check({}), 'missing');
  assert.equal(check({ 'x-fastly-token': 's3cre' }), 'wrong');
  assert.equal(check({ 'x-fastly-token': 's3cret!' }), 'wrong');
  assert.equal(check({ 'x-fastly-token': '' }), 'wrong');
  assert.equal(check({ 'x-fastly-token': 's3cret' }), 'ok');
  assert.equal(check({ authorization: 'Bearer s3cret' }), 'missing');
});

test('bearer auth: Authorization: Bearer <token>, scheme case-insensitive', () => {
  const check = makeAuthCheck({ bearer: new Secret('tok-123') });
  assert.equal(check({}), 'missing');
  assert.equal(check({ authorization: '' }), 'missing');
  assert.equal(check({ authorization: 'Basic dG9rLTEyMw==' }), 'wrong');
  assert.equal(check({ authorization: 'Bearer tok-124' }), 'wrong');
  assert.equal(check({ authorization: 'Bearer tok-123' }), 'ok');
  assert.equal(check({ authorization: 'bearer tok-123' }), 'ok');
});

test('no auth configured: everything passes', () => {
  assert.equal(makeAuthCheck(undefined)({}), 'ok');
});

test('challenge body: SHA-256 hex of each service id per line, or *', () => {
  // sha256("abc") and sha256("") are standard test vectors (FIPS 180-2).
  assert.equal(
    challengeBody(['abc', '']),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n',
  );
  assert.equal(challengeBody(['abc', '*']), '*\n');
  assert.equal(challengeBody([]), undefined);
});
