import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeLogEvent, type LogEvent } from '../../../src/core/event.js';
import { FeedView } from '../../../src/live/feed-view.js';
import { compileFilter } from '../../../src/live/feed-filter.js';
import { filterKey, normalizeFilter, parseClientMsg } from '../../../src/live/protocol.js';
import { newBlock, type RtSecond } from '../../../src/live/rt-accumulate.js';
import { K } from '../../../src/live/rt-keys.js';

const T = 1_700_000_000;
let n = 0;
function ev(sec: number, fields: Record<string, unknown>): LogEvent {
  return makeLogEvent('test', String(n++), sec * 1000 + 250, fields, undefined, 100);
}

/** One second of traffic; expectations below are counted by hand from these lines. */
function sample(): LogEvent[] {
  return [
    ev(T, { layer: 'edge', pop: 'IAD', host: 'dl.k8s.io', status: 200, cache_state: 'HIT', resp_body_bytes: 1000, release: 'v1', path: '/a', user_agent: 'kubectl', client_ip: '10.0.0.1' }),
    ev(T, { layer: 'edge', pop: 'IAD', host: 'dl.k8s.io', status: 200, cache_state: 'MISS', resp_body_bytes: 500, release: 'v1', path: '/a', user_agent: 'kubectl', client_ip: '10.0.0.2' }),
    ev(T, { layer: 'edge', pop: 'LHR', host: 'dl.k8s.io', status: 503, cache_state: 'PASS', resp_bytes: 200, release: 'v2', path: '/b', user_agent: 'curl', client_ip: '10.0.1.9' }),
    ev(T, { layer: 'edge', pop: 'IAD', is_edge: false, host: 'dl.k8s.io', status: 200, cache_state: 'MISS', resp_body_bytes: 500 }),
    ev(T, { layer: 'origin', host: 'storage.googleapis.com', status: 200, via_cdn: true, resp_bytes: 500, path: '/x', user_agent: 'Fastly' }),
    ev(T, { layer: 'origin', host: 'storage.googleapis.com', status: 200, via_cdn: false, resp_bytes: 300, path: '/kubernetes-release/release/v1/x', user_agent: 'curl', client_ip: '198.51.100.7', release: 'v1' }),
  ];
}

describe('FeedView', () => {
  test('rolls up one second as counted by hand', () => {
    let now = (T + 1) * 1000 + 10;
    const v = new FeedView({ now: () => now });
    v.ingest(sample());
    const [s, ...rest] = v.takeDelta();
    assert.equal(rest.length, 0);
    assert.deepEqual(s, {
      t: T,
      requests: 3,
      edge: 3,
      origin: 2,
      originViaCdn: 1,
      originBypass: 1,
      cdnShare: 3 / 4,
      bytes: 1000 + 500 + 200 + 500 + 300,
      edgeBytes: 1700,
      originBytes: 800,
      status: { '1xx': 0, '2xx': 2, '3xx': 0, '4xx': 0, '5xx': 1 },
      cache: { hit: 1, miss: 1, pass: 1, error: 0, synth: 0 },
      hitRatio: 0.5,
      originOffload: 1000 / 1700,
      hosts: { 'dl.k8s.io': 3, 'storage.googleapis.com': 2 },
      pops: { IAD: 2, LHR: 1 },
      originFetches: { IAD: { v1: 1 }, LHR: { v2: 1 } },
    });
    // Nothing changed: an empty delta; a late line for T re-sends T.
    assert.deepEqual(v.takeDelta(), []);
    v.ingest([ev(T, { layer: 'edge', pop: 'IAD', status: 404, cache_state: 'HIT', resp_body_bytes: 0 })]);
    const again = v.takeDelta();
    assert.equal(again.length, 1);
    assert.equal(again[0]!.requests, 4);
    assert.equal(again[0]!.status['4xx'], 1);
    // Top-k over demand (edge requests + bypassing origin requests), bypass separately.
    const top = v.topk();
    assert.deepEqual(top.all.user_agent, [
      { key: 'curl', count: 2, err: 0 },
      { key: 'kubectl', count: 2, err: 0 },
    ]);
    assert.deepEqual(top.bypass.user_agent, [{ key: 'curl', count: 1, err: 0 }]);
    assert.deepEqual(top.bypass.client_prefix, [{ key: '198.51.100.0/24', count: 1, err: 0 }]);
    assert.deepEqual(top.all.client_prefix, [
      { key: '10.0.0.0/24', count: 2, err: 0 },
      { key: '10.0.1.0/24', count: 1, err: 0 },
      { key: '198.51.100.0/24', count: 1, err: 0 },
    ]);
    assert.deepEqual(top.all.release, [
      { key: 'v1', count: 3, err: 0 },
      { key: 'v2', count: 1, err: 0 },
    ]);
    assert.equal(top.windowSecs, 60);
    // Lag: now − end of second T.
    assert.equal(v.lagMs(), now - (T + 1) * 1000);
    // The snapshot holds complete seconds only; the tail sampled the counted lines (shield hop excluded).
    now = (T + 2) * 1000;
    v.ingest([ev(T + 2, { layer: 'edge', pop: 'IAD', status: 200 })]);
    assert.deepEqual(v.snapshotSeconds().map((x) => x.t), [T]);
    assert.equal(v.takeTail().length, 7);
    assert.equal(v.takeTail().length, 0);
  });

  test('the current second is not sent until it ends; old and future events are not merged', () => {
    let now = T * 1000 + 500;
    const v = new FeedView({ now: () => now, retentionSecs: 10 });
    v.ingest([ev(T, { layer: 'edge', pop: 'IAD' }), ev(T - 10, { layer: 'edge' }), ev(T + 61, { layer: 'edge' })]);
    assert.equal(v.late, 1);
    assert.equal(v.future, 1);
    assert.deepEqual(v.takeDelta(), []);
    now += 1000;
    assert.deepEqual(v.takeDelta().map((s) => [s.t, s.requests]), [[T, 1]]);
  });

  test('an agent rt record (fleet ingest) adds to the second next to log events', () => {
    const now = (T + 1) * 1000 + 10;
    const v = new FeedView({ now: () => now });
    v.ingest(sample());
    const iad = newBlock();
    iad.c[K.requests] = 10;
    iad.c[K.hits] = 7;
    iad.c[K.miss] = 2;
    iad.c[K.pass] = 1;
    iad.c[K.status_2xx] = 9;
    iad.c[K.status_5xx] = 1;
    iad.c[K.resp_body_bytes] = 10_000;
    iad.c[K.origin_fetch_resp_body_bytes] = 2_500;
    const rec: RtSecond = { sec: T, pops: new Map([['IAD', iad]]), noPop: undefined };
    v.mergeRtSecond(rec);
    v.mergeRtSecond({ sec: T - 10_000, pops: new Map([['IAD', iad]]), noPop: undefined });
    assert.equal(v.late, 1);
    const [s] = v.takeDelta();
    // log events of sample(): 3 edge requests (IAD hit 1000 B, IAD miss 500 B, LHR pass 200 B, one 503)
    assert.equal(s!.edge, 13);
    assert.equal(s!.edgeBytes, 1700 + 10_000);
    assert.deepEqual(s!.status, { '1xx': 0, '2xx': 11, '3xx': 0, '4xx': 0, '5xx': 2 });
    assert.deepEqual(s!.cache, { hit: 8, miss: 3, pass: 2, error: 0, synth: 0 });
    assert.deepEqual(s!.pops, { IAD: 12, LHR: 1 });
    assert.equal(s!.originOffload, (1000 + 7_500) / 11_700);
    assert.equal(s!.cdnShare, 13 / 14, 'edge 13 of demand 13 + 1 bypassing origin request');
  });

  test('a filtered view counts only matching events', () => {
    const now = (T + 1) * 1000;
    const filter = normalizeFilter({ pop: 'IAD' });
    const v = new FeedView({ now: () => now, filter, predicate: compileFilter(filter) });
    v.ingest(sample());
    const [s] = v.takeDelta();
    assert.equal(s!.requests, 2);
    assert.deepEqual(s!.pops, { IAD: 2 });
    assert.equal(s!.origin, 0);
    const x = compileFilter(normalizeFilter({ status_class: '5xx', expr: 'user_agent == "curl"' }))!;
    const v2 = new FeedView({ now: () => now, predicate: x });
    v2.ingest(sample());
    assert.deepEqual(v2.takeDelta().map((q) => [q.requests, q.status['5xx']]), [[1, 1]]);
  });
});

describe('protocol', () => {
  test('client messages', () => {
    assert.deepEqual(parseClientMsg('{"type":"pause"}'), { type: 'pause' });
    assert.deepEqual(parseClientMsg('{"type":"resume"}'), { type: 'resume' });
    assert.deepEqual(parseClientMsg('{"type":"filter","filter":{"pop":"IAD","host":""}}'), { type: 'filter', filter: { pop: 'IAD' } });
    assert.deepEqual(parseClientMsg('{"type":"filter","filter":null}'), { type: 'filter', filter: null });
    assert.deepEqual(parseClientMsg('{"type":"filter","filter":{}}'), { type: 'filter', filter: null });
    assert.throws(() => parseClientMsg('nope'), /not JSON/);
    assert.throws(() => parseClientMsg('{"type":"x"}'), /unknown message type/);
    assert.throws(() => parseClientMsg('{"type":"filter","filter":{"colo":"IAD"}}'), /unknown filter key "colo"/);
    assert.throws(() => parseClientMsg('{"type":"filter","filter":{"status_class":"7xx"}}'), /status_class/);
  });
  test('filter keys are canonical', () => {
    assert.equal(filterKey({ pop: 'IAD', host: 'a' }), filterKey({ host: 'a', pop: 'IAD' }));
    assert.notEqual(filterKey({ pop: 'IAD' }), filterKey({ pop: 'LHR' }));
    assert.equal(filterKey(null), '');
  });
});
