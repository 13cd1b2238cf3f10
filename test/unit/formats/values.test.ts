import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUrl, toBoolean, toNumber, toText } from '../../../src/formats/values.js';
import type { Fields } from '../../../src/core/event.js';

test('toNumber', () => {
  assert.equal(toNumber(5), 5);
  assert.equal(toNumber('5'), 5);
  assert.equal(toNumber('-2.5'), -2.5);
  for (const v of ['', '-', ' 5', '5 ', '0x10', '1e3', NaN, Infinity, '9'.repeat(400), null, true, {}]) assert.equal(toNumber(v), undefined, String(v));
});

test('toBoolean', () => {
  assert.equal(toBoolean(true), true);
  assert.equal(toBoolean('False'), false);
  assert.equal(toBoolean(1), true);
  for (const v of ['yes', '', 2, null, 'truee']) assert.equal(toBoolean(v), undefined, String(v));
});

test('toText', () => {
  assert.equal(toText(''), '');
  assert.equal(toText(13), '13');
  assert.equal(toText(false), 'false');
  for (const v of [null, undefined, {}, [], NaN]) assert.equal(toText(v), undefined, String(v));
});

test('setUrl', () => {
  const f = (url: string) => { const o: Fields = {}; setUrl(o, url); return o; };
  assert.deepEqual(f('/a'), { url: '/a', path: '/a' });
  assert.deepEqual(f('/a?b=1?c'), { url: '/a?b=1?c', path: '/a', query: 'b=1?c' });
  assert.deepEqual(f('?x'), { url: '?x', path: '', query: 'x' });
  assert.deepEqual(f('http://h'), { url: 'http://h', path: '/' });
  assert.deepEqual(f('https://h:8443/p?q'), { url: 'https://h:8443/p?q', path: '/p', query: 'q' });
  assert.deepEqual(f('*'), { url: '*', path: '*' });
});
