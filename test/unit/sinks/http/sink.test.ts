import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeLogEvent, makeMetricEvent, type Event } from '../../../../src/core/event.js';
import type { SendResult, SinkDriver } from '../../../../src/delivery/types.js';
import { httpSinkSchema } from '../../../../sinks/http/config.js';
import { httpSink } from '../../../../sinks/http/index.js';
import { startReceiver, type Receiver } from '../../../helpers/http-receiver.js';
import { testContext } from '../../../helpers/context.js';

function events(n: number, from = 0): Event[] {
  const out: Event[] = [];
  for (let i = from; i < from + n; i++) {
    out.push(makeLogEvent('edge', `edge:a.log:${i}`, Date.UTC(2024, 4, 1, 12, 0, 0) + i, { status: 200, pop: 'IAD', path: `/p/${i}` }, `line ${i}`, 6));
  }
  return out;
}

async function build(extra: Record<string, unknown>, url: string): Promise<SinkDriver> {
  const cfg = httpSinkSchema.parse({ type: 'http', inputs: ['edge'], uri: url, ...extra });
  return httpSink.build(cfg, testContext('out', 'http'));
}

async function roundTrip(d: SinkDriver, evs: Event[]): Promise<SendResult> {
  return d.send(await d.encode(evs), AbortSignal.timeout(30_000));
}

function reasonOf(r: SendResult): string {
  return r.kind === 'ok' ? '' : r.reason;
}

describe('http sink against the strict receiver', () => {
  let rx: Receiver;
  const drivers: SinkDriver[] = [];
  const driver = async (extra: Record<string, unknown> = {}, url?: string): Promise<SinkDriver> => {
    const d = await build(extra, url ?? rx.url);
    drivers.push(d);
    return d;
  };
  before(async () => { rx = await startReceiver({ keepBodies: true }); });
  beforeEach(() => { rx.reset(); rx.clearFault(); });
  after(async () => {
    for (const d of drivers) await d.close?.();
    await rx.close();
  });

  test('ndjson POST: every event arrives once, as the flat wire object', async () => {
    const d = await driver();
    assert.deepEqual(await roundTrip(d, events(3)), { kind: 'ok' });
    assert.equal(rx.total, 3);
    assert.deepEqual([...rx.counts.keys()], ['edge:a.log:0', 'edge:a.log:1', 'edge:a.log:2']);
    assert.equal(rx.log[0]!.method, 'POST');
    assert.equal(rx.log[0]!.headers['content-type'], 'application/x-ndjson');
    assert.equal(rx.log[0]!.headers['content-encoding'], undefined);
    assert.deepEqual(rx.events[1], { timestamp: '2024-05-01T12:00:00.001Z', status: 200, pop: 'IAD', path: '/p/1', event_id: 'edge:a.log:1' });
  });

  test('json codec with PUT sends one array', async () => {
    const d = await driver({ method: 'put', encoding: { codec: 'json' } });
    assert.equal((await roundTrip(d, events(2))).kind, 'ok');
    assert.equal(rx.log[0]!.method, 'PUT');
    assert.equal(rx.log[0]!.headers['content-type'], 'application/json');
    assert.ok(rx.bodies[0]!.startsWith('[{"timestamp":"2024-05-01T12:00:00.000Z"'));
    assert.equal(rx.distinct, 2);
  });

  test('metrics are sent as wire objects too', async () => {
    const d = await driver();
    const m = makeMetricEvent('agg', 'agg:1', { name: 'requests', kind: 'counter', value: 5, tags: { pop: 'IAD' }, timestamp: Date.UTC(2024, 4, 1) });
    assert.equal((await roundTrip(d, [m])).kind, 'ok');
    assert.deepEqual(rx.events[0], { timestamp: '2024-05-01T00:00:00.000Z', name: 'requests', kind: 'counter', value: 5, tags: { pop: 'IAD' }, event_id: 'agg:1' });
  });

  test('gzip: Content-Encoding set, body decodes to the same events', async () => {
    const d = await driver({ compression: 'gzip' });
    const p = (await d.encode(events(500))) as { body: Buffer };
    assert.equal(p.body[0], 0x1f);
    assert.equal((await d.send(p, AbortSignal.timeout(30_000))).kind, 'ok');
    assert.equal(rx.log[0]!.headers['content-encoding'], 'gzip');
    assert.equal(rx.total, 500);
    assert.equal(rx.distinct, 500);
    assert.equal(d.payloadBytes!(p), p.body.length);
  });

  test('raw codec sends the original lines as text/plain', async () => {
    const d = await driver({ encoding: { codec: 'raw' } });
    assert.equal((await roundTrip(d, events(2))).kind, 'ok');
    assert.equal(rx.log[0]!.headers['content-type'], 'text/plain; charset=utf-8');
    assert.deepEqual(rx.lines, ['line 0', 'line 1']);
  });

  test('503 with Retry-After is retryable with afterMs; nothing is recorded; then ok', async () => {
    const d = await driver();
    rx.setFault({ status: 503, retryAfterSecs: 3 });
    const r = await roundTrip(d, events(2));
    assert.deepEqual(r, { kind: 'retryable', reason: 'HTTP 503: {"error":"injected fault"}', afterMs: 3000 });
    assert.equal(rx.total, 0);
    rx.clearFault();
    assert.equal((await roundTrip(d, events(2))).kind, 'ok');
    assert.equal(rx.total, 2);
  });

  test('429 without Retry-After is retryable without afterMs', async () => {
    const d = await driver();
    rx.setFault({ status: 429 });
    const r = await roundTrip(d, events(1));
    assert.equal(r.kind, 'retryable');
    assert.equal(r.kind === 'retryable' ? r.afterMs : 0, undefined);
  });

  test('400 is permanent: an injected one, and a real one caught by the strict receiver', async () => {
    const d = await driver();
    rx.setFault({ status: 400, body: 'bad request' });
    assert.deepEqual(await roundTrip(d, events(1)), { kind: 'permanent', reason: 'HTTP 400: bad request' });
    rx.clearFault();
    // Dropping event_id makes the body invalid for this receiver: the sink reports what it said.
    const noId = await driver({ encoding: { codec: 'ndjson', except_fields: ['event_id'] } });
    assert.deepEqual(await roundTrip(noId, events(1)), { kind: 'permanent', reason: 'HTTP 400: {"error":"line 1: no string event_id"}' });
  });

  test('everyNth fault only hits every Nth request', async () => {
    const d = await driver();
    rx.setFault({ status: 500, everyNth: 2 });
    const kinds: string[] = [];
    for (let i = 0; i < 4; i++) kinds.push((await roundTrip(d, events(1, i))).kind);
    assert.deepEqual(kinds, ['ok', 'retryable', 'ok', 'retryable']);
    assert.equal(rx.requests, 4);
  });

  test('a network failure is retryable', async () => {
    const dead = await startReceiver();
    const url = dead.url;
    await dead.close();
    const d = await driver({}, url);
    const r = await roundTrip(d, events(1));
    assert.equal(r.kind, 'retryable');
    assert.match(reasonOf(r), /^network error ECONNREFUSED/);
  });
});

describe('http sink auth and headers', () => {
  const token = 'tok-9f8e7d6c5b4a';
  let rx: Receiver;
  before(async () => { rx = await startReceiver({ expectAuthorization: `Bearer ${token}` }); });
  after(async () => { await rx.close(); });

  test('bearer token is sent; wrong token is a permanent 401 with no secret in the reason', async () => {
    const good = await build({ auth: { strategy: 'bearer', token } }, rx.url);
    assert.equal((await roundTrip(good, events(1))).kind, 'ok');
    const bad = await build({ auth: { strategy: 'bearer', token: 'wrong-token-123' } }, rx.url);
    const r = await roundTrip(bad, events(1));
    assert.equal(r.kind, 'permanent');
    assert.equal(reasonOf(r), 'HTTP 401: {"error":"unauthorized"}');
    // A server that echoes the token back: redacted.
    rx.setFault({ status: 403, body: `token ${token} is disabled` });
    const echoed = await roundTrip(good, events(1));
    rx.clearFault();
    assert.deepEqual(echoed, { kind: 'permanent', reason: 'HTTP 403: token [secret] is disabled' });
    await good.close?.();
    await bad.close?.();
  });

  test('basic auth and custom headers go on the wire', async () => {
    const seen: Array<Record<string, string | string[] | undefined>> = [];
    const server = createServer((req, res) => { seen.push(req.headers); req.resume(); req.on('end', () => res.end()); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
    const d = await build({ auth: { strategy: 'basic', user: 'alice', password: 'pa55word' }, headers: { 'X-Edge-Key': 'k-1', 'Content-Type': 'application/vnd.custom' } }, url);
    assert.equal((await roundTrip(d, events(1))).kind, 'ok');
    assert.equal(seen[0]!.authorization, 'Basic YWxpY2U6cGE1NXdvcmQ=');
    assert.equal(seen[0]!['x-edge-key'], 'k-1');
    assert.equal(seen[0]!['content-type'], 'application/vnd.custom');
    await d.close?.();
    server.closeAllConnections();
    server.close();
  });
});

describe('http sink config', () => {
  const base = { type: 'http', inputs: ['edge'], uri: 'https://logs.example.com/in' };
  test('defaults', () => {
    const c = httpSinkSchema.parse(base);
    assert.equal(c.method, 'post');
    assert.equal(c.compression, 'none');
    assert.equal(c.encoding.codec, 'ndjson');
    assert.deepEqual(c.headers, {});
    assert.equal(c.healthcheck.uri, undefined);
  });
  test('unknown keys and bad values are rejected with their path', () => {
    const r = httpSinkSchema.safeParse({ ...base, urii: 'x' });
    assert.equal(r.success, false);
    const m = httpSinkSchema.safeParse({ ...base, method: 'get' });
    assert.deepEqual(m.error?.issues.map((i) => i.path.join('.')), ['method']);
    const a = httpSinkSchema.safeParse({ ...base, auth: { strategy: 'bearer', token: '' } });
    assert.deepEqual(a.error?.issues.map((i) => i.path.join('.')), ['auth.token']);
  });
  test('auth together with an Authorization header is an error; so is Content-Encoding', () => {
    const r = httpSinkSchema.safeParse({ ...base, auth: { strategy: 'bearer', token: 't' }, headers: { Authorization: 'x' }, });
    assert.deepEqual(r.error?.issues.map((i) => i.path.join('.')), ['headers']);
    const e = httpSinkSchema.safeParse({ ...base, headers: { 'content-encoding': 'br' } });
    assert.deepEqual(e.error?.issues.map((i) => i.path.join('.')), ['headers.content-encoding']);
  });
  test('secrets never print', () => {
    const c = httpSinkSchema.parse({ ...base, auth: { strategy: 'basic', user: 'u', password: 'hunter22' }, headers: { 'X-Key': 'abc123secret' } });
    const s = JSON.stringify(c);
    assert.ok(!s.includes('hunter22') && !s.includes('abc123secret'), s);
  });
});

describe('http sink healthcheck', () => {
  test('absent unless healthcheck.uri is set; then a GET that must answer 2xx', async () => {
    const plain = await build({}, 'http://127.0.0.1:9/');
    assert.equal(plain.healthcheck, undefined);
    let status = 200;
    const paths: string[] = [];
    const server = createServer((req, res) => { paths.push(`${req.method} ${req.url}`); res.statusCode = status; res.end('down for maintenance'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const d = await build({ healthcheck: { uri: `${base}/health` } }, `${base}/in`);
    await d.healthcheck!(AbortSignal.timeout(30_000));
    status = 503;
    await assert.rejects(d.healthcheck!(AbortSignal.timeout(30_000)), /healthcheck failed: HTTP 503: down for maintenance/);
    assert.deepEqual(paths, ['GET /health', 'GET /health']);
    await d.close?.();
    server.closeAllConnections();
    server.close();
  });
});
