import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeLogEvent, makeMetricEvent, type LogEvent } from '../../../src/core/event.js';
import { LiveStore } from '../../../src/live/rollup.js';
import { T0, buildSample } from './fixture.js';

const ev = (i: number, ms: number, fields: Record<string, unknown>): LogEvent => makeLogEvent('t', `t:${i}`, ms, fields, undefined, 10);

test('events are keyed by their own timestamp; late and far-future ones are counted, not merged', () => {
  let nowMs = (T0 + 1000) * 1000;
  const store = new LiveStore({ now: () => nowMs, retentionSecs: 900, futureSkewSecs: 60 });
  const r = store.ingest(
    [
      ev(1, (T0 + 1000 - 899) * 1000, { pop: 'IAD' }), // oldest retained second
      ev(2, (T0 + 1000 - 900) * 1000 + 999, { pop: 'IAD' }), // one second too old: late
      ev(3, (T0 + 1060) * 1000 + 999, { pop: 'IAD' }), // at the skew bound: kept
      ev(4, (T0 + 1061) * 1000, { pop: 'IAD' }), // beyond: future
      ev(5, Number.NaN, { pop: 'IAD' }), // no usable time: late
    ],
    'svc',
  );
  assert.deepEqual(r, { merged: 2, late: 2, future: 1, overflow: 0 });
  assert.deepEqual(store.stats, { merged: 2, late: 2, future: 1, overflow: 0 });
  assert.deepEqual(store.seconds('svc', 0, T0 + 2000).map((b) => b.sec), [T0 + 101, T0 + 1060]);
  // The clock moves on: the old second leaves the window even though its slot is not reused yet.
  nowMs = (T0 + 1001) * 1000;
  assert.deepEqual(store.seconds('svc', 0, T0 + 2000).map((b) => b.sec), [T0 + 1060]);
});

test('a ring slot reused by a newer second starts from zero', () => {
  let nowMs = (T0 + 10) * 1000;
  const store = new LiveStore({ now: () => nowMs, retentionSecs: 5, futureSkewSecs: 0 });
  store.ingest([ev(1, (T0 + 10) * 1000, { pop: 'IAD', status: 200 }), ev(2, (T0 + 10) * 1000, { pop: 'IAD', status: 200 })], 's');
  nowMs = (T0 + 15) * 1000; // ring size 5: second T0+15 maps to the slot of T0+10
  store.ingest([ev(3, (T0 + 15) * 1000, { pop: 'IAD', status: 404 })], 's');
  const [b] = store.seconds('s', 0, T0 + 100);
  assert.equal(b!.sec, T0 + 15);
  assert.equal(b!.edge, 1);
});

test('per-second layers, origin via_cdn vs bypass, hosts and bytes', () => {
  const store = new LiveStore({ now: () => (T0 + 10) * 1000 });
  const events = buildSample();
  store.ingest(events, 'svc1');
  const b = store.seconds('svc1', T0 - 1, T0)[0]!;
  assert.equal(b.sec, T0);
  // Independent counts for second T0 of the default service.
  let edge = 0, origin = 0, via = 0, bypass = 0, edgeBytes = 0, originBytes = 0;
  const hosts: Record<string, number> = {};
  for (const e of events) {
    const f = e.fields;
    if (Math.floor(e.timestamp / 1000) !== T0 || f.service_id !== undefined) continue;
    if (f.layer === 'origin') {
      origin++;
      if (f.via_cdn === true) via++;
      else bypass++;
      originBytes += f.resp_bytes as number;
    } else if (f.is_edge !== false) {
      edge++;
      edgeBytes += (f.resp_body_bytes ?? f.resp_bytes) as number;
    } else continue;
    hosts[f.host as string] = (hosts[f.host as string] ?? 0) + 1;
  }
  assert.equal(origin, 4); // 12 origin events over 3 seconds
  assert.deepEqual({ edge: b.edge, origin: b.origin, via: b.originViaCdn, bypass: b.originBypass, edgeBytes: b.edgeBytes, originBytes: b.originBytes }, { edge, origin, via, bypass, edgeBytes, originBytes });
  assert.deepEqual(Object.fromEntries(b.hosts), hosts);
});

test('metric events are ignored; services beyond the bound overflow', () => {
  const store = new LiveStore({ now: () => (T0 + 10) * 1000, maxServices: 1 });
  const m = makeMetricEvent('m', 'm:1', { name: 'x', kind: 'counter', value: 1, timestamp: T0 * 1000 });
  const r = store.ingest([m, ev(1, T0 * 1000, { service_id: 'a' }), ev(2, T0 * 1000, { service_id: 'b' })], 'a');
  assert.deepEqual(r, { merged: 1, late: 0, future: 0, overflow: 1 });
  assert.deepEqual(store.serviceIds(), ['a']);
});

test('listeners hear about merged data only', () => {
  const store = new LiveStore({ now: () => (T0 + 10) * 1000 });
  let calls = 0;
  const off = store.onData(() => calls++);
  store.ingest([ev(1, 0, {})], 's'); // late
  store.ingest([ev(2, T0 * 1000, {})], 's');
  off();
  store.ingest([ev(3, T0 * 1000, {})], 's');
  assert.equal(calls, 1);
});
