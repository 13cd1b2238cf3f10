import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { makeLogEvent } from '../../../src/core/event.js';
import { Secret } from '../../../src/core/secret.js';
import { LiveStore } from '../../../src/live/rollup.js';
import { createRtHandler, type RtApiOptions } from '../../../src/live/rt-api.js';
import { waitFor } from '../../helpers/context.js';
import { serveHandler } from './serve.js';
import { T0, buildSample, expectedFor } from './fixture.js';

interface RtBody {
  Timestamp: number;
  AggregateDelay: number;
  Data: Array<{ recorded: number; aggregated: Record<string, number | Record<string, number>>; datacenter: Record<string, Record<string, number | Record<string, number>>> }>;
  error?: string;
}

const serve = (opts: RtApiOptions) => serveHandler(createRtHandler(opts));

async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: RtBody }> {
  const r = await fetch(base + path, { headers });
  return { status: r.status, body: (await r.json()) as RtBody };
}

const close = (s: Server): Promise<void> => new Promise((r) => { s.close(() => r()); s.closeAllConnections(); });

describe('rt API over a known sample', () => {
  let nowMs = (T0 + 10) * 1000;
  const store = new LiveStore({ now: () => nowMs });
  const events = buildSample();
  let srv: { server: Server; base: string };

  before(async () => {
    // Two batches, as the sink would see them.
    const r1 = store.ingest(events.slice(0, 100), 'svc1');
    const r2 = store.ingest(events.slice(100), 'svc1');
    assert.equal(r1.merged + r2.merged, events.length);
    srv = await serve({ store: () => store, maxWaitMs: 200 });
  });
  after(() => close(srv.server));

  test('aggregated and per-POP numbers equal independent counts', async () => {
    const { status, body } = await get(srv.base, `/v1/channel/svc1/ts/${T0 - 1}`);
    assert.equal(status, 200);
    assert.equal(body.AggregateDelay, 2);
    assert.deepEqual(body.Data.map((d) => d.recorded), [T0, T0 + 1, T0 + 2]);
    assert.equal(body.Timestamp, T0 + 2);
    let totalRequests = 0;
    for (const entry of body.Data) {
      assert.deepEqual(Object.keys(entry.datacenter), ['IAD', 'LHR']);
      for (const pop of [undefined, 'IAD', 'LHR']) {
        const got = pop === undefined ? entry.aggregated : entry.datacenter[pop]!;
        const exp = expectedFor(events, entry.recorded, pop);
        for (const [k, v] of Object.entries(exp.counts)) assert.equal(got[k], v, `${entry.recorded} ${pop ?? 'aggregated'} ${k}`);
        assert.ok(Math.abs((got.hits_time as number) - exp.hitsTime) < 1e-9, 'hits_time');
        assert.ok(Math.abs((got.miss_time as number) - exp.missTime) < 1e-9, 'miss_time');
        assert.deepEqual(got.miss_histogram, exp.hist);
      }
      totalRequests += entry.aggregated.requests as number;
    }
    // 200 edge lines, 19 of them shield hops (i % 11 == 0): the edge requests are the other 181.
    assert.equal(totalRequests, 181);
    // No bandwidth key exists in this API.
    assert.equal('bandwidth' in body.Data[0]!.aggregated, false);
  });

  test('service ids are kept apart; the event field wins over the default', async () => {
    const { body } = await get(srv.base, `/v1/channel/other/ts/${T0 - 1}`);
    assert.equal(body.Data.length, 1);
    assert.equal(body.Data[0]!.aggregated.requests, 5);
    assert.equal(body.Data[0]!.aggregated.hits, 5);
  });

  test('cursor returns only seconds after it; ts=0 the latest; h and h/limit/N', async () => {
    let r = await get(srv.base, `/v1/channel/svc1/ts/${T0}`);
    assert.deepEqual(r.body.Data.map((d) => d.recorded), [T0 + 1, T0 + 2]);
    assert.equal(r.body.Timestamp, T0 + 2);
    r = await get(srv.base, '/v1/channel/svc1/ts/0');
    assert.deepEqual(r.body.Data.map((d) => d.recorded), [T0 + 2]);
    r = await get(srv.base, '/v1/channel/svc1/ts/h');
    assert.deepEqual(r.body.Data.map((d) => d.recorded), [T0, T0 + 1, T0 + 2]);
    r = await get(srv.base, '/v1/channel/svc1/ts/h/limit/2');
    assert.deepEqual(r.body.Data.map((d) => d.recorded), [T0 + 1, T0 + 2]);
    r = await get(srv.base, '/v1/channel/svc1/ts/h/limit/0');
    assert.equal(r.status, 400);
  });

  test('no data: 200 after the bounded wait, with the Fastly error and the cursor kept', async () => {
    const r = await get(srv.base, `/v1/channel/svc1/ts/${T0 + 2}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { Timestamp: T0 + 2, AggregateDelay: 2, Data: [], error: 'No data available, please retry' });
    const u = await get(srv.base, '/v1/channel/nosuch/ts/0');
    assert.equal(u.body.error, 'No data available, please retry');
    assert.deepEqual(u.body.Data, []);
  });

  test('a second becomes visible only once AggregateDelay has passed', async () => {
    store.ingest([makeLogEvent('x', 'x:1', (T0 + 9) * 1000, { pop: 'IAD', cache_state: 'HIT', status: 200 }, undefined, 1)], 'svc1');
    let r = await get(srv.base, `/v1/channel/svc1/ts/${T0 + 2}`);
    assert.deepEqual(r.body.Data, []);
    nowMs = (T0 + 11) * 1000;
    r = await get(srv.base, `/v1/channel/svc1/ts/${T0 + 2}`);
    assert.deepEqual(r.body.Data.map((d) => d.recorded), [T0 + 9]);
  });

  test('other paths are not handled', async () => {
    const r = await fetch(srv.base + '/v1/channel/svc1/nope');
    assert.equal(r.status, 404);
    await r.arrayBuffer();
  });
});

test('long poll: a held request returns as soon as data arrives', async () => {
  const nowMs = (T0 + 100) * 1000;
  const store = new LiveStore({ now: () => nowMs });
  let subscribed = 0;
  const onData = store.onData.bind(store);
  store.onData = (l) => {
    subscribed++;
    return onData(l);
  };
  const srv = await serve({ store: () => store, maxWaitMs: 60_000 });
  try {
    const pending = get(srv.base, `/v1/channel/svc/ts/${T0 + 50}`);
    await waitFor(() => subscribed > 0, 'the request to be held');
    store.ingest([makeLogEvent('x', 'x:1', (T0 + 60) * 1000 + 500, { pop: 'IAD', cache_state: 'MISS', status: 200, resp_body_bytes: 42 }, undefined, 1)], 'svc');
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.body.Timestamp, T0 + 60);
    assert.equal(r.body.Data.length, 1);
    assert.equal(r.body.Data[0]!.datacenter.IAD!.miss, 1);
    assert.equal(r.body.Data[0]!.aggregated.resp_body_bytes, 42);
  } finally {
    await close(srv.server);
  }
});

test('Fastly-Key: 401 without, 403 wrong, 200 with any configured key', async () => {
  const store = new LiveStore({ now: () => (T0 + 10) * 1000 });
  store.ingest(buildSample(), 'svc1');
  const srv = await serve({ store: () => store, maxWaitMs: 100, keys: [new Secret('key-one'), new Secret('key-two')] });
  try {
    assert.equal((await get(srv.base, '/v1/channel/svc1/ts/0')).status, 401);
    assert.equal((await get(srv.base, '/v1/channel/svc1/ts/0', { 'Fastly-Key': 'nope' })).status, 403);
    const ok = await get(srv.base, '/v1/channel/svc1/ts/0', { 'Fastly-Key': 'key-two' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.Data[0]!.recorded, T0 + 2);
  } finally {
    await close(srv.server);
  }
});

test('without a live store the route answers 404', async () => {
  const srv = await serve({ store: () => undefined, maxWaitMs: 100 });
  try {
    assert.equal((await get(srv.base, '/v1/channel/svc1/ts/0')).status, 404);
  } finally {
    await close(srv.server);
  }
});
