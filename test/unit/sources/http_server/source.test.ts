import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { connect } from 'node:net';
import { httpServerSourceSchema } from '../../../../src/sources/http_server/config.js';
import { HttpServerSource } from '../../../../src/sources/http_server/source.js';
import { getFormat } from '../../../../src/formats/index.js';
import { emitHarness, type EmitHarness } from '../emit-harness.js';
import { rawExchange, send } from '../../../helpers/raw-http.js';
import { waitFor } from '../../../helpers/context.js';

async function start(h: EmitHarness, extra: Record<string, unknown> = {}) {
  const config = httpServerSourceSchema.parse({
    type: 'http_server',
    address: '127.0.0.1:0',
    path: '/logs',
    auth: { header: 'X-Fastly-Token', value: 'tok' },
    fastly_service_ids: ['SU1Z0isxPaozGVKXdv0eY'],
    max_body_bytes: 4096,
    max_decompressed_bytes: 16384,
    ack_timeout_secs: 0.5,
    ...extra,
  });
  const src = new HttpServerSource(config, h.ctx, getFormat(config.format));
  await src.start();
  const port = (src.describe().address as string).split(':').pop();
  return { src, url: `http://127.0.0.1:${port}`, port: Number(port) };
}

const AUTH = { 'x-fastly-token': 'tok' };
const ndjson = (n: number, from = 0) => Array.from({ length: n }, (_, i) => JSON.stringify({ status: 200, path: `/p${from + i}` })).join('\n') + '\n';

describe('http_server source', () => {
  const sources: HttpServerSource[] = [];
  after(async () => {
    for (const s of sources) {
      await s.stop();
      await s.close();
    }
  });
  const boot = async (h: EmitHarness, extra?: Record<string, unknown>) => {
    const r = await start(h, extra);
    sources.push(r.src);
    return r;
  };

  test('challenge answers the SHA-256 of the configured service id, unauthenticated', async () => {
    const h = emitHarness('fastly', 'http_server');
    const { url } = await boot(h);
    const r = await send(`${url}/.well-known/fastly/logging/challenge`, { method: 'GET' });
    assert.equal(r.status, 200);
    // printf %s SU1Z0isxPaozGVKXdv0eY | sha256sum
    assert.equal(r.body, '66b01d440c79400570c755aad9d589af5368719067c13fee58710a7198db2de8\n');
    assert.equal((await send(`${url}/.well-known/fastly/logging/challenge?x=1`, { method: 'GET' })).status, 200);
  });

  test('gzip NDJSON batch: 200 only after the finalizer reports delivered, every line emitted', async () => {
    const h = emitHarness('fastly', 'http_server', 'hold'); // hold the batches
    const { url } = await boot(h);
    let answered = false;
    const p = send(`${url}/logs`, { headers: { ...AUTH, 'content-encoding': 'gzip' }, body: gzipSync(ndjson(3)) }).then((r) => {
      answered = true;
      return r;
    });
    await waitFor(() => h.batches.length === 1, 'batch emitted');
    assert.equal(answered, false, 'no answer before the sink has the batch');
    h.releaseAll('delivered');
    const r = await p;
    assert.equal(r.status, 200);
    assert.deepEqual(h.events().map((e) => e.fields.path), ['/p0', '/p1', '/p2']);
    assert.equal(h.metrics.counts.received, 3);
  });

  test('dropped / errored / emit failure / no acknowledgement in time: 503, 500, 503, 503', async () => {
    const h = emitHarness('fastly', 'http_server', 'dropped');
    const { url } = await boot(h);
    const post = () => send(`${url}/logs`, { headers: AUTH, body: ndjson(2) });
    assert.equal((await post()).status, 503);
    h.auto = 'errored';
    assert.equal((await post()).status, 500);
    h.auto = undefined;
    h.failEmit = new Error('shutting down');
    assert.equal((await post()).status, 503);
    h.failEmit = undefined;
    const r = await post(); // held: ack_timeout_secs 0.5
    assert.equal(r.status, 503);
    assert.equal(r.headers['retry-after'], '1');
    assert.equal(h.metrics.counts.errors['batch_dropped/receiving'], 1);
    assert.equal(h.metrics.counts.errors['batch_errored/receiving'], 1);
    assert.equal(h.metrics.counts.errors['batch_rejected/receiving'], 1);
    assert.equal(h.metrics.counts.errors['batch_timeout/receiving'], 1);
  });

  test('batches larger than max_batch_events are split; one answer for the whole request', async () => {
    const h = emitHarness('fastly', 'http_server', 'hold');
    const { url } = await boot(h, { max_batch_events: 2 });
    const p = send(`${url}/logs`, { headers: AUTH, body: ndjson(5) });
    await waitFor(() => h.batches.length === 3, 'three batches');
    assert.deepEqual(h.batches.map((b) => b.events.length), [2, 2, 1]);
    h.releaseAll();
    assert.equal((await p).status, 200);
  });

  test('a retried identical body gets the same event_ids', async () => {
    const h = emitHarness('fastly', 'http_server');
    const { url } = await boot(h);
    await send(`${url}/logs`, { headers: AUTH, body: ndjson(2) });
    await send(`${url}/logs`, { headers: { ...AUTH, 'content-encoding': 'gzip' }, body: gzipSync(ndjson(2)) });
    const ids = h.events().map((e) => e.id);
    assert.equal(ids.length, 4);
    assert.deepEqual(ids.slice(0, 2), ids.slice(2));
    assert.notEqual(ids[0], ids[1]);
  });

  test('rejections: 401 missing, 403 wrong, 404, 405, 413 declared and streamed, 400 bad gzip, 413 bomb, 415', async () => {
    const h = emitHarness('fastly', 'http_server');
    const { url } = await boot(h);
    assert.equal((await send(`${url}/logs`, { body: ndjson(1) })).status, 401);
    assert.equal((await send(`${url}/logs`, { headers: { 'x-fastly-token': 'nope' }, body: ndjson(1) })).status, 403);
    assert.equal((await send(`${url}/other`, { headers: AUTH, body: ndjson(1) })).status, 404);
    const r405 = await send(`${url}/logs`, { method: 'GET', headers: AUTH });
    assert.equal(r405.status, 405);
    assert.equal(r405.headers.allow, 'POST, PUT');
    assert.equal((await send(`${url}/logs`, { headers: AUTH, body: 'x'.repeat(4097) })).status, 413);
    assert.equal((await send(`${url}/logs`, { headers: { ...AUTH, 'transfer-encoding': 'chunked' }, body: 'x'.repeat(5000) })).status, 413);
    assert.equal((await send(`${url}/logs`, { headers: { ...AUTH, 'content-encoding': 'gzip' }, body: 'not gzip at all' })).status, 400);
    const truncated = gzipSync(ndjson(20)).subarray(0, 30);
    assert.equal((await send(`${url}/logs`, { headers: { ...AUTH, 'content-encoding': 'gzip' }, body: truncated })).status, 400);
    const bomb = gzipSync(Buffer.alloc(1024 * 1024, 0x41)); // ~1 KB on the wire, 1 MiB inflated
    assert.ok(bomb.length < 4096);
    assert.equal((await send(`${url}/logs`, { headers: { ...AUTH, 'content-encoding': 'gzip' }, body: bomb })).status, 413);
    assert.equal((await send(`${url}/logs`, { headers: { ...AUTH, 'content-encoding': 'br' }, body: 'x' })).status, 415);
    assert.equal(h.batches.length, 0);
    const e = h.metrics.counts.errors;
    assert.equal(e['unauthorized/receiving'], 1);
    assert.equal(e['forbidden/receiving'], 1);
    assert.equal(e['not_found/receiving'], 1);
    assert.equal(e['method_not_allowed/receiving'], 1);
    assert.equal(e['body_too_large/receiving'], 2);
    assert.equal(e['bad_encoding/receiving'], 2);
    assert.equal(e['decompressed_too_large/receiving'], 1);
    assert.equal(e['unsupported_encoding/receiving'], 1);
    // The server is still fine.
    assert.equal((await send(`${url}/logs`, { headers: AUTH, body: ndjson(1) })).status, 200);
  });

  test('bearer auth with PUT', async () => {
    const h = emitHarness('fastly', 'http_server');
    const { url } = await boot(h, { auth: { bearer: 'b-tok' } });
    const r401 = await send(`${url}/logs`, { method: 'PUT', body: ndjson(1) });
    assert.equal(r401.status, 401);
    assert.equal(r401.headers['www-authenticate'], 'Bearer realm="edgetail"');
    assert.equal((await send(`${url}/logs`, { method: 'PUT', headers: { authorization: 'Bearer nope' }, body: ndjson(1) })).status, 403);
    assert.equal((await send(`${url}/logs`, { method: 'PUT', headers: { authorization: 'Bearer b-tok' }, body: ndjson(1) })).status, 200);
  });

  test('oversized head → 431, garbage → 400, silent connection → 408 and closed; all counted', async () => {
    const h = emitHarness('fastly', 'http_server');
    const { port } = await boot(h, { max_header_bytes: 1024, headers_timeout_secs: 0.3, request_timeout_secs: 0.6 });
    const big = await rawExchange(port, `POST /logs HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(4000)}\r\n\r\n`);
    assert.match(big, /^HTTP\/1\.1 431 /);
    const junk = await rawExchange(port, 'HELLO THERE\r\n\r\n');
    assert.match(junk, /^HTTP\/1\.1 400 /);
    const silent = await rawExchange(port, '');
    assert.match(silent, /^HTTP\/1\.1 408 /);
    // Slow body: head in time, body never completes.
    const slow = await rawExchange(port, `POST /logs HTTP/1.1\r\nHost: x\r\nX-Fastly-Token: tok\r\nContent-Length: 100\r\n\r\nabc`);
    assert.match(slow, /^HTTP\/1\.1 408 /);
    const e = h.metrics.counts.errors;
    assert.equal(e['header_too_large/receiving'], 1);
    assert.equal(e['invalid_request/receiving'], 1);
    assert.equal(e['request_timeout/receiving'], 2);
  });

  test('max_connections: connections beyond the limit are closed and counted', async () => {
    const h = emitHarness('fastly', 'http_server');
    const { port, url, src } = await boot(h, { max_connections: 2, headers_timeout_secs: 5, request_timeout_secs: 5 });
    const held = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    await waitFor(() => src.describe().connections === 2, 'two connections accepted');
    const third = await rawExchange(port, `GET /.well-known/fastly/logging/challenge HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.equal(third, '');
    await waitFor(() => h.metrics.counts.errors['connection_limit/receiving'] === 1, 'drop counted');
    for (const s of held) s.destroy();
    await waitFor(async () => (await send(`${url}/logs`, { headers: AUTH, body: ndjson(1) }).catch(() => ({ status: 0 }))).status === 200, 'accepting again', 10_000, 50);
  });
});
