/** wireToEvent: a dead-letter record's event comes back as the event that was dead-lettered. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wireToEvent } from '../../../src/delivery/dead-letter.js';

test('a parsed log event: timestamp, id and fields come back; no raw line', () => {
  const ev = wireToEvent({ timestamp: '2024-05-01T00:00:00.250Z', status: 503, host: 'dl.k8s.io', event_id: 'edge:f-0:120' }, 'dl', 80);
  assert.deepEqual(ev, { type: 'log', timestamp: Date.UTC(2024, 4, 1, 0, 0, 0, 250), fields: { status: 503, host: 'dl.k8s.io' }, raw: undefined, id: 'edge:f-0:120', source: 'dl', size: 80 });
});

test('an unparsed line keeps its raw text and parse_error', () => {
  const ev = wireToEvent({ timestamp: '2024-05-01T00:00:00.000Z', raw: 'garbage', parse_error: 'not JSON', event_id: 'e1' }, 'dl', 10);
  assert.equal(ev.type, 'log');
  assert.equal(ev.type === 'log' && ev.raw, 'garbage');
  assert.deepEqual(ev.type === 'log' && ev.fields, { parse_error: 'not JSON' });
});

test('a field named __proto__ stays data', () => {
  const ev = wireToEvent(JSON.parse('{"timestamp":"2024-05-01T00:00:00.000Z","__proto__":{"x":1},"event_id":"e"}') as Record<string, unknown>, 'dl', 1);
  assert.ok(ev.type === 'log');
  assert.deepEqual(Object.getOwnPropertyDescriptor(ev.fields, '__proto__')?.value, { x: 1 });
  assert.equal(Object.getPrototypeOf(ev.fields), Object.prototype);
});

test('a histogram metric, with the "+Inf" bound back to Infinity', () => {
  const ev = wireToEvent(
    { timestamp: '2024-05-01T00:00:01.000Z', name: 'ttfb', kind: 'histogram', buckets: [{ le: 0.1, count: 2 }, { le: '+Inf', count: 3 }], sum: 0.4, count: 3, tags: { pop: 'FRA' }, event_id: 'm1' },
    'dl',
    5,
  );
  assert.deepEqual(ev, {
    type: 'metric', name: 'ttfb', kind: 'histogram', value: undefined, buckets: [{ le: 0.1, count: 2 }, { le: Infinity, count: 3 }], sum: 0.4, count: 3,
    tags: { pop: 'FRA' }, timestamp: Date.UTC(2024, 4, 1, 0, 0, 1), id: 'm1', source: 'dl', size: 5,
  });
});
