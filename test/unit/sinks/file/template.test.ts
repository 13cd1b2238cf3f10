import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeLogEvent, makeMetricEvent } from '../../../../src/core/event.js';
import { compilePathTemplate, pathSafe } from '../../../../sinks/file/template.js';

const at = (ts: number, fields: Record<string, unknown> = {}) => makeLogEvent('s', 'i', ts, fields, undefined, 0);

test('constant template', () => {
  const t = compilePathTemplate('/var/log/out.log');
  assert.equal(t.constant, true);
  assert.equal(t.render(at(0)), '/var/log/out.log');
});

test('strftime in UTC from the event timestamp, plus field placeholders', () => {
  const t = compilePathTemplate('/data/%Y-%m-%d/%H/{{ host }}-{{pop}}.log');
  assert.equal(t.constant, false);
  // 2024-03-09 23:59:59 UTC, then one second later (the next day).
  assert.equal(t.render(at(Date.UTC(2024, 2, 9, 23, 59, 59), { host: 'cdn.dl.k8s.io', pop: 'IAD' })), '/data/2024-03-09/23/cdn.dl.k8s.io-IAD.log');
  assert.equal(t.render(at(Date.UTC(2024, 2, 10, 0, 0, 0), { host: 'dl.k8s.io', pop: 'FRA' })), '/data/2024-03-10/00/dl.k8s.io-FRA.log');
});

test('milliseconds specifier is not cached per second', () => {
  const t = compilePathTemplate('%S.%L');
  assert.equal(t.render(at(Date.UTC(2024, 0, 1, 0, 0, 5, 1))), '05.001');
  assert.equal(t.render(at(Date.UTC(2024, 0, 1, 0, 0, 5, 2))), '05.002');
});

test('missing, empty and unsafe values', () => {
  const t = compilePathTemplate('out/{{ host }}/{{ status }}.log');
  assert.equal(t.render(at(0, {})), 'out/_/_.log');
  assert.equal(t.render(at(0, { host: '', status: null })), 'out/_/_.log');
  assert.equal(t.render(at(0, { host: '../../etc', status: 404 })), 'out/.._.._etc/404.log');
  assert.equal(t.render(at(0, { host: '..', status: true })), 'out/_/true.log');
  assert.equal(t.render(at(0, { host: 'a\\b\nc', status: 1 })), 'out/a_b_c/1.log');
});

test('metric events: name and tags', () => {
  const t = compilePathTemplate('m/{{ name }}/{{ pop }}.log');
  const m = makeMetricEvent('a', 'a:1', { name: 'requests', kind: 'counter', value: 1, tags: { pop: 'NRT' }, timestamp: 0 });
  assert.equal(t.render(m), 'm/requests/NRT.log');
});

test('pathSafe caps the length', () => {
  assert.equal(pathSafe('x'.repeat(500)).length, 128);
});
