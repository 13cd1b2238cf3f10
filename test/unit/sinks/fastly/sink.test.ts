import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { makeLogEvent, makeMetricEvent } from '../../../../src/core/event.js';
import { Secret } from '../../../../src/core/secret.js';
import { LiveStore } from '../../../../src/live/rollup.js';
import { createRtIngestHandler } from '../../../../src/live/rt-ingest.js';
import { toRtEntry } from '../../../../src/live/rt-response.js';
import { fastlySinkSchema, type FastlySinkConfig } from '../../../../sinks/fastly/config.js';
import { buildFastlySink, sequence } from '../../../../sinks/fastly/sink.js';
import { testContext } from '../../../helpers/context.js';
import { T0, buildSample, expectedFor } from '../../live/fixture.js';

const KEY = 'fastly-sink-key-42';

function config(extra: Record<string, unknown>): FastlySinkConfig {
  return fastlySinkSchema.parse({ type: 'fastly', inputs: ['x'], api_key: KEY, service_id: 'svc', agent_id: 'pod-1', ...extra });
}

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Records every request, answers with `answer` (default: pass to the real ingest handler). */
async function capture(answer?: (s: Seen) => { status: number; headers?: Record<string, string>; body: string }, store?: LiveStore): Promise<{ server: Server; base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const ingest = createRtIngestHandler({ keys: [new Secret(KEY)], store: () => store });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    if (answer === undefined) {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body: Buffer.alloc(0) });
      // Strip the test's path prefix, as a reverse proxy would.
      const url = new URL(req.url!.replace(/^\/prefix/, ''), 'http://x');
      void Promise.resolve(ingest(req, res, url));
      return;
    }
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const s = { method: req.method!, path: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      const a = answer(s);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const close = (s: Server): Promise<void> => new Promise((r) => { s.close(() => r()); s.closeAllConnections(); });

test('config: endpoint, api_key and service_id are required; bad values name the key', () => {
  const r = fastlySinkSchema.safeParse({ type: 'fastly', inputs: ['x'], service_id: 'a/b', endpoint: 'ftp://x' });
  assert.equal(r.success, false);
  const paths = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).sort();
  assert.deepEqual(paths, ['api_key: expected a string', 'endpoint: expected an http:// or https:// URL', 'service_id: expected a service id without /, ?, # or spaces']);
});

test('sequence numbers start at the clock in µs and increase by one', () => {
  const next = sequence(1_700_000_000_123);
  assert.deepEqual([next(), next(), next()], [1_700_000_000_123_000, 1_700_000_000_123_001, 1_700_000_000_123_002]);
});

describe('against the real ingest endpoint', () => {
  const store = new LiveStore({ now: () => (T0 + 10) * 1000 });
  let srv: Awaited<ReturnType<typeof capture>>;
  before(async () => {
    srv = await capture(undefined, store);
  });
  after(() => close(srv.server));

  test('a batch becomes per-second records that the collector merges to the independent counts', async () => {
    const events = buildSample().filter((e) => e.fields.service_id === undefined);
    const sink = buildFastlySink(config({ endpoint: `${srv.base}/prefix/` }), testContext('fastly', 'fastly'));
    try {
      const half = Math.floor(events.length / 2);
      const p1 = await sink.encode(events.slice(0, half));
      const p2 = await sink.encode(events.slice(half));
      assert.equal(p1.records, 3);
      const ac = new AbortController();
      assert.deepEqual(await sink.send(p1, ac.signal), { kind: 'ok' });
      assert.deepEqual(await sink.send(p2, ac.signal), { kind: 'ok' });
      // A retry of the same payload (lost answer) changes nothing.
      assert.deepEqual(await sink.send(p1, ac.signal), { kind: 'ok' });
      assert.equal(srv.seen.length, 3);
      assert.equal(srv.seen[0]!.method, 'POST');
      assert.equal(srv.seen[0]!.path, '/prefix/v1/channel/svc/ingest');
      assert.equal(srv.seen[0]!.headers['fastly-key'], KEY);
      assert.equal(srv.seen[0]!.headers['content-type'], 'application/json');
      const got = store.seconds('svc', 0, T0 + 5).map(toRtEntry);
      assert.deepEqual(got.map((g) => g.recorded), [T0, T0 + 1, T0 + 2]);
      for (const g of got) {
        for (const pop of [undefined, 'IAD', 'LHR']) {
          const exp = expectedFor(events, g.recorded, pop).counts;
          const stats = pop === undefined ? g.aggregated : g.datacenter[pop]!;
          assert.deepEqual(Object.fromEntries(Object.keys(exp).map((k) => [k, stats[k]])), exp, `second ${g.recorded} ${pop ?? 'aggregated'}`);
        }
      }
    } finally {
      await sink.close?.();
    }
  });
});

test('body: records with agent id and increasing sequence, gzip when configured; no request for a batch without edge requests', async () => {
  const srv = await capture(() => ({ status: 200, body: '{}' }));
  const sink = buildFastlySink(config({ endpoint: srv.base, compression: 'gzip' }), testContext('fastly', 'fastly'));
  try {
    const ev = (i: number, sec: number, fields: Record<string, unknown>) => makeLogEvent('f', `f:${i}`, sec * 1000 + 500, fields, undefined, 10);
    const p1 = await sink.encode([
      ev(1, T0, { pop: 'IAD', status: 200, cache_state: 'HIT', resp_body_bytes: 10 }),
      ev(2, T0 + 1, { pop: 'IAD', status: 503, cache_state: 'MISS', resp_body_bytes: 5 }),
      ev(3, T0, { status: 404, cache_state: 'PASS', resp_body_bytes: 7 }),
      ev(4, T0, { layer: 'origin', status: 200, resp_bytes: 99 }),
    ]);
    const p2 = await sink.encode([ev(5, T0 + 1, { pop: 'LHR', status: 200, cache_state: 'HIT', resp_body_bytes: 1 })]);
    await sink.send(p1, new AbortController().signal);
    await sink.send(p2, new AbortController().signal);
    assert.equal(srv.seen[0]!.headers['content-encoding'], 'gzip');
    const b1 = JSON.parse(gunzipSync(srv.seen[0]!.body).toString()) as { records: Array<Record<string, any>> };
    const b2 = JSON.parse(gunzipSync(srv.seen[1]!.body).toString()) as { records: Array<Record<string, any>> };
    assert.deepEqual(b1.records.map((r) => [r.agent_id, r.recorded]), [['pod-1', T0], ['pod-1', T0 + 1]]);
    const seqs = [...b1.records, ...b2.records].map((r) => r.seq as number);
    assert.deepEqual(seqs, [seqs[0], seqs[0]! + 1, seqs[0]! + 2]);
    const [r0, r1] = b1.records;
    assert.deepEqual([r0.aggregated.requests, r0.aggregated.hits, r0.aggregated.pass, r0.aggregated.status_2xx, r0.aggregated.status_4xx, r0.aggregated.resp_body_bytes], [2, 1, 1, 1, 1, 17]);
    assert.deepEqual(Object.keys(r0.datacenter), ['IAD']);
    assert.deepEqual([r0.datacenter.IAD.requests, r0.datacenter.IAD.resp_body_bytes], [1, 10]);
    assert.deepEqual([r1.aggregated.miss, r1.aggregated.status_503, r1.aggregated.origin_fetches], [1, 1, 1]);
    // Origin-layer and metric events only: nothing to post.
    const none = await sink.encode([ev(6, T0, { layer: 'origin' }), makeMetricEvent('m', 'm:1', { name: 'x', kind: 'counter', value: 1, timestamp: T0 * 1000 })]);
    assert.deepEqual(await sink.send(none, new AbortController().signal), { kind: 'ok' });
    assert.equal(srv.seen.length, 2);
  } finally {
    await sink.close?.();
    await close(srv.server);
  }
});

test('outcomes: 503 + Retry-After retryable, 401 permanent, the key never in a reason', async () => {
  let status = 503;
  const srv = await capture((s) => ({ status, headers: (status === 503 ? { 'retry-after': '7' } : {}) as Record<string, string>, body: JSON.stringify({ msg: 'no', echo: s.headers['fastly-key'] }) }));
  const sink = buildFastlySink(config({ endpoint: srv.base }), testContext('fastly', 'fastly'));
  try {
    const p = await sink.encode([makeLogEvent('f', 'f:1', T0 * 1000, { pop: 'IAD', status: 200 }, undefined, 10)]);
    const r1 = await sink.send(p, new AbortController().signal);
    assert.equal(r1.kind, 'retryable');
    assert.equal(r1.kind === 'retryable' && r1.afterMs, 7000);
    status = 401;
    const r2 = await sink.send(p, new AbortController().signal);
    assert.equal(r2.kind, 'permanent');
    assert.ok(r2.kind === 'permanent' && r2.reason.startsWith('HTTP 401'));
    assert.ok(!JSON.stringify([r1, r2]).includes(KEY), 'the key is redacted');
  } finally {
    await sink.close?.();
    await close(srv.server);
  }
});
