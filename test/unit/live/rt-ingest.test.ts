import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { Secret } from '../../../src/core/secret.js';
import { LiveStore } from '../../../src/live/rollup.js';
import { createRtIngestHandler, type RtIngestOptions } from '../../../src/live/rt-ingest.js';
import { toRtEntry } from '../../../src/live/rt-response.js';
import { serveHandler } from './serve.js';
import { T0 } from './fixture.js';

const KEY = 'ingest-key-123';

const serve = (opts: RtIngestOptions) => serveHandler(createRtIngestHandler(opts));

const close = (s: Server): Promise<void> => new Promise((r) => { s.close(() => r()); s.closeAllConnections(); });

async function post(base: string, path: string, body: string | Buffer, headers: Record<string, string> = { 'fastly-key': KEY }): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

const rec = (agent: string, seq: number, sec: number, iad: number, lhr: number) => ({
  agent_id: agent,
  seq,
  recorded: sec,
  aggregated: { requests: iad + lhr, hits: iad, status_2xx: iad + lhr, resp_body_bytes: 100 * (iad + lhr) },
  datacenter: { IAD: { requests: iad, hits: iad, status_2xx: iad, resp_body_bytes: 100 * iad }, LHR: { requests: lhr, status_2xx: lhr, resp_body_bytes: 100 * lhr } },
});

describe('POST /v1/channel/{sid}/ingest', () => {
  const store = new LiveStore({ now: () => (T0 + 10) * 1000, retentionSecs: 60 });
  let srv: { server: Server; base: string };
  before(async () => {
    srv = await serve({ keys: [new Secret(KEY)], store: () => store, maxBodyBytes: 64 * 1024 });
  });
  after(() => close(srv.server));

  test('records of two agents add up per second and POP; a re-sent record is not counted again', async () => {
    const a = await post(srv.base, '/v1/channel/svc/ingest', JSON.stringify({ records: [rec('a', 1, T0, 2, 1), rec('a', 2, T0 + 1, 4, 0)] }));
    assert.equal(a.status, 200);
    assert.deepEqual(a.json, { accepted: 2, duplicates: 0, late: 0, future: 0, overflow: 0 });
    const b = await post(srv.base, '/v1/channel/svc/ingest', JSON.stringify({ records: [rec('b', 1, T0, 3, 5)] }));
    assert.deepEqual(b.json, { accepted: 1, duplicates: 0, late: 0, future: 0, overflow: 0 });
    // Agent a re-sends its first body (its answer was lost), plus a late record for T0 (seq 3).
    const again = await post(srv.base, '/v1/channel/svc/ingest', JSON.stringify({ records: [rec('a', 1, T0, 2, 1), rec('a', 2, T0 + 1, 4, 0), rec('a', 3, T0, 1, 0)] }));
    assert.deepEqual(again.json, { accepted: 1, duplicates: 2, late: 0, future: 0, overflow: 0 });
    const [s0, s1] = store.seconds('svc', 0, T0 + 5).map(toRtEntry);
    // T0: IAD 2 + 3 + 1, LHR 1 + 5.
    assert.deepEqual([s0!.aggregated.requests, s0!.datacenter.IAD!.requests, s0!.datacenter.LHR!.requests], [12, 6, 6]);
    assert.deepEqual([s0!.aggregated.hits, s0!.aggregated.resp_body_bytes, s0!.aggregated.status_2xx], [6, 1200, 12]);
    assert.deepEqual([s1!.recorded, s1!.aggregated.requests, s1!.datacenter.IAD!.requests], [T0 + 1, 4, 4]);
    // Another service keeps its own rollups.
    await post(srv.base, '/v1/channel/other/ingest', JSON.stringify({ records: [rec('a', 1, T0, 7, 0)] }));
    assert.equal(toRtEntry(store.seconds('other', 0, T0)[0]!).aggregated.requests, 7);
    assert.equal(toRtEntry(store.seconds('svc', 0, T0)[0]!).aggregated.requests, 12);
  });

  test('records outside the window are acknowledged and counted, not merged', async () => {
    const r = await post(srv.base, '/v1/channel/svc/ingest', JSON.stringify({ records: [rec('c', 1, T0 - 60, 1, 0), rec('c', 2, T0 + 200, 1, 0)] }));
    assert.deepEqual(r.json, { accepted: 0, duplicates: 0, late: 1, future: 1, overflow: 0 });
  });

  test('gzip bodies are accepted', async () => {
    const r = await post(srv.base, '/v1/channel/gz/ingest', gzipSync(JSON.stringify({ records: [rec('g', 1, T0, 1, 1)] })), { 'fastly-key': KEY, 'content-encoding': 'gzip' });
    assert.equal(r.status, 200);
    assert.equal(toRtEntry(store.seconds('gz', 0, T0)[0]!).aggregated.requests, 2);
  });

  test('auth: missing key 401, wrong key 403; nothing merged', async () => {
    const body = JSON.stringify({ records: [rec('x', 1, T0, 1, 0)] });
    const missing = await post(srv.base, '/v1/channel/auth/ingest', body, {});
    assert.equal(missing.status, 401);
    assert.equal(missing.json.detail, 'Fastly-Key header required');
    const wrong = await post(srv.base, '/v1/channel/auth/ingest', body, { 'fastly-key': 'nope' });
    assert.equal(wrong.status, 403);
    assert.deepEqual(store.seconds('auth', 0, T0 + 5), []);
  });

  test('bad requests: 400 with the problem, 405, 413, 415; nothing merged', async () => {
    const bad = await post(srv.base, '/v1/channel/bad/ingest', JSON.stringify({ records: [rec('x', 1, T0, 1, 0), { ...rec('x', 2, T0, 1, 0), seq: 'two' }] }));
    assert.equal(bad.status, 400);
    assert.equal(bad.json.detail, 'records[1].seq: expected a non-negative integer');
    assert.deepEqual(store.seconds('bad', 0, T0 + 5), [], 'a body with one bad record merges nothing');
    const notJson = await post(srv.base, '/v1/channel/bad/ingest', '{"records":');
    assert.equal(notJson.status, 400);
    assert.match(String(notJson.json.detail), /^invalid JSON/);
    const get = await fetch(`${srv.base}/v1/channel/bad/ingest`, { headers: { 'fastly-key': KEY } });
    assert.equal(get.status, 405);
    await get.body?.cancel();
    const big = await post(srv.base, '/v1/channel/bad/ingest', JSON.stringify({ records: [], pad: 'x'.repeat(70 * 1024) }));
    assert.equal(big.status, 413);
    const bomb = await post(srv.base, '/v1/channel/bad/ingest', gzipSync(JSON.stringify({ records: [], pad: 'x'.repeat(200 * 1024) })), { 'fastly-key': KEY, 'content-encoding': 'gzip' });
    assert.equal(bomb.status, 413);
    assert.match(String(bomb.json.detail), /decompressed body larger than 65536 bytes/);
    const br = await post(srv.base, '/v1/channel/bad/ingest', '{}', { 'fastly-key': KEY, 'content-encoding': 'br' });
    assert.equal(br.status, 415);
  });

  test('a body larger than the limit sent without Content-Length (chunked) is cut off with 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${srv.base}/v1/channel/bad/ingest`);
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'fastly-key': KEY, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(10 * 1024));
      req.end();
    });
    assert.equal(status, 413);
  });
});

test('without configured keys ingest is refused', async () => {
  const store = new LiveStore({ now: () => (T0 + 10) * 1000 });
  const srv = await serve({ keys: [new Secret('')], store: () => store });
  try {
    const r = await post(srv.base, '/v1/channel/svc/ingest', JSON.stringify({ records: [rec('a', 1, T0, 1, 0)] }), {});
    assert.equal(r.status, 403);
    assert.match(String(r.json.detail), /api\.fastly_api_keys/);
    assert.deepEqual(store.seconds('svc', 0, T0 + 5), []);
  } finally {
    await close(srv.server);
  }
});
