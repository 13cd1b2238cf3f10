/**
 * The opentelemetry sink against a receiver that decodes real OTLP (protobuf and JSON) with
 * protobufjs and the OpenTelemetry message definitions (test/helpers/otlp-receiver.ts).
 * Expected attributes are written out by hand from the semantic conventions.
 */
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { makeLogEvent, makeMetricEvent, type Event } from '../../../../src/core/event.js';
import { deadLetterDir } from '../../../../src/delivery/dead-letter.js';
import { SinkRunner } from '../../../../src/delivery/runner.js';
import type { CommonSinkConfig } from '../../../../src/delivery/config.js';
import type { SinkDriver } from '../../../../src/delivery/types.js';
import { openTelemetrySink, openTelemetrySinkSchema, type OpenTelemetrySinkConfig } from '../../../../sinks/opentelemetry/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../../helpers/otlp-receiver.js';
import { tempDir, testContext, waitFor } from '../../../helpers/context.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const NS = (ms: number) => ms * 1_000_000;

function edgeEvents(): Event[] {
  return [
    makeLogEvent('edge', 'edge:a.log:0', T0, {
      layer: 'edge', client_ip: '203.0.113.7', host: 'cdn.dl.k8s.io', method: 'GET', url: '/release/v1.28.0/bin/linux/amd64/kubectl?x=1',
      path: '/release/v1.28.0/bin/linux/amd64/kubectl', query: 'x=1', protocol: 'HTTP/2', tls_version: 'TLSv1.3', status: 200,
      cache_state: 'HIT', resp_bytes: 49864500, resp_body_bytes: 49864192, req_bytes: 120, elapsed_us: 5300, pop: 'IAD', is_edge: true,
      user_agent: 'curl/8.4.0', referer: 'https://kubernetes.io/', geo_country: 'US',
    }, 'raw line 0', 10),
    makeLogEvent('origin', 'gcs:u.csv:7', T0 + 1500, {
      layer: 'origin', client_ip: '198.51.100.1', host: 'storage.googleapis.com', method: 'GET', url: '/kubernetes-release/release/stable.txt?alt=media',
      status: 503, bucket: 'kubernetes-release', via_cdn: false,
    }, undefined, 10),
    makeLogEvent('edge', 'edge:a.log:1', T0 + 2, { method: 'HEAD', path: '/x', status: 404 }, 'raw line 1', 10),
  ];
}

/** Expected attributes of edgeEvents(), by hand from the conventions (and edgetail names for the rest). */
const EXPECTED_ATTRS: Record<string, unknown>[] = [
  {
    layer: 'edge', 'client.address': '203.0.113.7', 'server.address': 'cdn.dl.k8s.io', 'http.request.method': 'GET',
    'url.path': '/release/v1.28.0/bin/linux/amd64/kubectl', 'url.query': 'x=1', 'network.protocol.name': 'http', 'network.protocol.version': '2',
    'tls.protocol.name': 'tls', 'tls.protocol.version': '1.3', 'http.response.status_code': 200, cache_state: 'HIT', 'http.response.size': 49864500,
    'http.response.body.size': 49864192, 'http.request.size': 120, elapsed_us: 5300, pop: 'IAD', is_edge: true, 'user_agent.original': 'curl/8.4.0',
    'http.request.header.referer': ['https://kubernetes.io/'], 'geo.country.iso_code': 'US', 'log.record.uid': 'edge:a.log:0',
  },
  {
    layer: 'origin', 'client.address': '198.51.100.1', 'server.address': 'storage.googleapis.com', 'http.request.method': 'GET',
    'url.path': '/kubernetes-release/release/stable.txt', 'url.query': 'alt=media', 'http.response.status_code': 503, bucket: 'kubernetes-release',
    via_cdn: false, 'log.record.uid': 'gcs:u.csv:7',
  },
  { 'http.request.method': 'HEAD', 'url.path': '/x', 'http.response.status_code': 404, 'log.record.uid': 'edge:a.log:1' },
];

function config(url: string, extra: Record<string, unknown> = {}): OpenTelemetrySinkConfig {
  return openTelemetrySinkSchema.parse({ type: 'opentelemetry', inputs: ['in'], endpoint: url, healthcheck: { enabled: false }, ...extra });
}

describe('opentelemetry sink against an OTLP receiver (real protobuf decoding)', () => {
  let rx: OtlpReceiver;
  const drivers: SinkDriver[] = [];
  const driver = async (extra: Record<string, unknown> = {}, ctx = testContext('otlp', 'opentelemetry')) => {
    const d = (await openTelemetrySink.build(config(rx.url, extra), ctx)) as SinkDriver;
    drivers.push(d);
    return d;
  };
  before(async () => { rx = await startOtlpReceiver(); });
  beforeEach(() => {
    rx.logs.length = 0;
    rx.metrics.length = 0;
    rx.requests.length = 0;
    rx.partialSuccess = undefined;
  });
  after(async () => {
    for (const d of drivers) await d.close?.();
    await rx.close();
  });

  test('protobuf: every log record arrives with semantic-convention attributes, time, body and severity', async () => {
    const d = await driver({ resource: { 'service.name': 'edge-agent', 'deployment.environment.name': 'prod' }, headers: { 'X-Api-Key': 'k-123456' } });
    assert.deepEqual(await d.send(await d.encode(edgeEvents()), AbortSignal.timeout(30_000)), { kind: 'ok' });
    assert.equal(rx.requests.length, 1);
    assert.equal(rx.requests[0]!.path, '/v1/logs');
    assert.equal(rx.requests[0]!.headers['content-type'], 'application/x-protobuf');
    assert.equal(rx.requests[0]!.headers['x-api-key'], 'k-123456');
    assert.equal(rx.logs.length, 3);
    assert.deepEqual(rx.logs.map((l) => l.attributes), EXPECTED_ATTRS);
    assert.deepEqual(rx.logs.map((l) => l.timeUnixNano), [NS(T0), NS(T0 + 1500), NS(T0 + 2)]);
    assert.deepEqual(rx.logs.map((l) => l.body), ['raw line 0', undefined, 'raw line 1']);
    assert.deepEqual(rx.logs.map((l) => [l.severityNumber, l.severityText]), [[9, 'INFO'], [17, 'ERROR'], [13, 'WARN']]);
    assert.deepEqual(rx.logs[0]!.resource, { 'service.name': 'edge-agent', 'deployment.environment.name': 'prod' });
    assert.equal(rx.logs[0]!.scope, 'edgetail');
    assert.ok(rx.logs[0]!.observedTimeUnixNano > NS(T0));
  });

  test('http/json with gzip decodes to the same records; except_fields and attribute_prefix apply', async () => {
    const d = await driver({ protocol: 'http/json', compression: 'gzip', attribute_prefix: 'edgetail.', encoding: { except_fields: ['elapsed_us', 'event_id'] } });
    assert.deepEqual(await d.send(await d.encode(edgeEvents().slice(0, 1)), AbortSignal.timeout(30_000)), { kind: 'ok' });
    assert.equal(rx.requests[0]!.headers['content-type'], 'application/json');
    assert.equal(rx.requests[0]!.headers['content-encoding'], 'gzip');
    const expected: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(EXPECTED_ATTRS[0]!)) {
      if (k === 'elapsed_us' || k === 'log.record.uid') continue;
      expected[/^(layer|cache_state|pop|is_edge)$/.test(k) ? `edgetail.${k}` : k] = v;
    }
    assert.deepEqual(rx.logs[0]!.attributes, expected);
    assert.equal(rx.logs[0]!.timeUnixNano, NS(T0));
  });

  test('metrics: gauge, cumulative counter (start time kept), histogram with per-bucket counts', async () => {
    const m = (id: string, ts: number, x: Omit<Parameters<typeof makeMetricEvent>[2], 'timestamp'>) => makeMetricEvent('scrape', id, { absolute: x.kind !== 'gauge', ...x, timestamp: ts });
    const batch1: Event[] = [
      m('1', T0, { name: 'edge_connections', kind: 'gauge', value: 12.5, tags: { pop: 'IAD' } }),
      m('2', T0, { name: 'edge_requests_total', kind: 'counter', value: 100, tags: { pop: 'IAD', code: '200' } }),
      // cumulative le counts 2, 5, 9 (+Inf) → per bucket 2, 3, 4
      m('3', T0, { name: 'edge_latency_seconds', kind: 'histogram', buckets: [{ le: 0.1, count: 2 }, { le: 1, count: 5 }, { le: Infinity, count: 9 }], sum: 4.5, count: 9, tags: {} }),
      m('4', T0, { name: 'bad', kind: 'gauge', value: NaN }),
    ];
    const ctx = testContext('otlp', 'opentelemetry');
    const d2 = await driver({}, ctx);
    assert.deepEqual(await d2.send(await d2.encode(batch1), AbortSignal.timeout(30_000)), { kind: 'ok' });
    assert.deepEqual(await d2.send(await d2.encode([m('5', T0 + 10_000, { name: 'edge_requests_total', kind: 'counter', value: 130, tags: { code: '200', pop: 'IAD' } })]), AbortSignal.timeout(30_000)), { kind: 'ok' });
    assert.deepEqual(rx.requests.map((r) => r.path), ['/v1/metrics', '/v1/metrics']);
    assert.equal(ctx.metrics.counts.discarded.invalid_metric, 1);
    const byName = (n: string) => rx.metrics.filter((x) => x.name === n);
    const g = byName('edge_connections')[0]!;
    assert.equal(g.type, 'gauge');
    assert.deepEqual(g.points.map((p) => [p.value, p.attributes, p.timeUnixNano]), [[12.5, { pop: 'IAD' }, NS(T0)]]);
    const sums = byName('edge_requests_total');
    assert.deepEqual(sums.map((s) => [s.type, s.temporality, s.isMonotonic]), [['sum', 2, true], ['sum', 2, true]]);
    assert.deepEqual(sums.map((s) => [s.points[0]!.value, s.points[0]!.startTimeUnixNano, s.points[0]!.timeUnixNano]), [[100, NS(T0), NS(T0)], [130, NS(T0), NS(T0 + 10_000)]]);
    const h = byName('edge_latency_seconds')[0]!;
    assert.equal(h.type, 'histogram');
    assert.deepEqual({ ...h.points[0], attributes: undefined, startTimeUnixNano: undefined, timeUnixNano: undefined }, {
      attributes: undefined, startTimeUnixNano: undefined, timeUnixNano: undefined, count: 9, sum: 4.5, bucketCounts: [2, 3, 4], explicitBounds: [0.1, 1],
    });
    assert.equal(byName('bad').length, 0);
  });

  test('counters not flagged absolute (increments, as aggregate emits them) are delta sums', async () => {
    const d = await driver({});
    const ev = makeMetricEvent('agg', 'c', { name: 'hits', kind: 'counter', value: 7, timestamp: T0 });
    assert.deepEqual(await d.send(await d.encode([ev]), AbortSignal.timeout(30_000)), { kind: 'ok' });
    assert.deepEqual(rx.metrics.map((x) => [x.type, x.temporality, x.isMonotonic, x.points[0]!.value]), [['sum', 1, true, 7]]);
  });

  test('status classification: only 429/502/503/504 retryable (Retry-After kept); other 4xx/5xx permanent', async () => {
    const d = await driver({ headers: { authorization: 'Bearer sekrit-token' } });
    const cases: Array<[number, string | undefined, string, number | undefined]> = [
      [429, '3', 'retryable', 3000],
      [502, undefined, 'retryable', undefined],
      [503, '1', 'retryable', 1000],
      [504, undefined, 'retryable', undefined],
      [400, undefined, 'permanent', undefined],
      [401, undefined, 'permanent', undefined],
      [404, undefined, 'permanent', undefined],
      [408, undefined, 'permanent', undefined],
      [413, undefined, 'permanent', undefined],
      [500, undefined, 'permanent', undefined],
    ];
    for (const [status, retryAfter, kind, afterMs] of cases) {
      rx.respondWith({ status, ...(retryAfter ? { retryAfter } : {}), body: 'bad token sekrit-token' });
      const r = await d.send(await d.encode(edgeEvents().slice(0, 1)), AbortSignal.timeout(30_000));
      assert.equal(r.kind, kind, `HTTP ${status}`);
      assert.equal(r.kind !== 'ok' && 'afterMs' in r ? r.afterMs : undefined, afterMs, `HTTP ${status} afterMs`);
      assert.ok(r.kind !== 'ok' && r.reason.startsWith(`HTTP ${status}`) && !r.reason.includes('sekrit-token'), r.kind !== 'ok' ? r.reason : '');
    }
    assert.equal(rx.logs.length, 0);
  });

  test('partial success: logged and counted as rejected_by_receiver, not retried', async () => {
    for (const protocol of ['http/protobuf', 'http/json']) {
      const ctx = testContext('otlp', 'opentelemetry');
      const d = await driver({ protocol }, ctx);
      rx.requests.length = 0;
      rx.partialSuccess = { rejected: 2, message: 'attribute too long' };
      assert.deepEqual(await d.send(await d.encode(edgeEvents()), AbortSignal.timeout(30_000)), { kind: 'ok' }, protocol);
      assert.equal(rx.requests.length, 1, protocol);
      assert.equal(ctx.metrics.counts.discarded.rejected_by_receiver, 2, protocol);
      assert.equal(ctx.metrics.counts.errors['partial_success/sending'], 1, protocol);
    }
  });

  test('a mixed batch whose metrics part fails resends only the metrics', async () => {
    const d = await driver();
    const p = await d.encode([...edgeEvents(), makeMetricEvent('s', 'g', { name: 'up', kind: 'gauge', value: 1, timestamp: T0 })]);
    rx.requests.length = 0;
    rx.respondWith({ status: 200 }, { status: 503 }); // logs accepted, then metrics refused once
    assert.equal((await d.send(p, AbortSignal.timeout(30_000))).kind, 'retryable');
    assert.equal((await d.send(p, AbortSignal.timeout(30_000))).kind, 'ok');
    assert.deepEqual(rx.requests.map((r) => [r.path, r.status]), [['/v1/logs', 200], ['/v1/metrics', 503], ['/v1/metrics', 200]]);
    assert.equal(rx.logs.length, 3);
    assert.equal(rx.metrics.length, 1);
  });

  test('bad config names the key', () => {
    const r = openTelemetrySinkSchema.safeParse({ type: 'opentelemetry', inputs: ['a'], protocol: 'grpc', headers: { 'content-type': 'x' } });
    assert.equal(r.success, false);
    const paths = r.error!.issues.map((i) => i.path.join('.')).sort();
    assert.deepEqual(paths, ['protocol']);
    const r2 = openTelemetrySinkSchema.safeParse({ type: 'opentelemetry', inputs: ['a'], headers: { 'Content-Type': 'x' } });
    assert.deepEqual(r2.error!.issues.map((i) => i.path.join('.')), ['headers.Content-Type']);
  });
});

describe('opentelemetry sink under the delivery runner', () => {
  let rx: OtlpReceiver;
  before(async () => { rx = await startOtlpReceiver(); });
  after(() => rx.close());

  async function run(respond: Parameters<OtlpReceiver['respondWith']>, check: (r: { runner: SinkRunner; ctx: ReturnType<typeof testContext>; slept: number[]; dir: string }) => Promise<void>) {
    rx.requests.length = 0;
    rx.logs.length = 0;
    const dir = tempDir();
    const ctx = testContext('otel_out', 'opentelemetry', dir.path);
    const cfg = config(rx.url, { request: { retry_initial_backoff_secs: 0.01, concurrency: 1 }, batch: { timeout_secs: 0.01 } });
    const driver = (await openTelemetrySink.build(cfg, ctx)) as SinkDriver;
    const slept: number[] = [];
    const runner = new SinkRunner({
      id: 'otel_out', type: 'opentelemetry', config: cfg as unknown as CommonSinkConfig, driver, ctx: ctx as never,
      // Records the delays the runner chose (Retry-After) without waiting them out.
      timing: { sleep: async (ms) => void slept.push(ms) },
    });
    rx.respondWith(...respond);
    try {
      await runner.start();
      await runner.accept(edgeEvents());
      await check({ runner, ctx, slept, dir: dir.path });
    } finally {
      await runner.drain(5000);
      dir.cleanup();
    }
  }

  test('503 + Retry-After is retried after the given delay, and delivered once', async () => {
    await run([{ status: 503, retryAfter: '2' }], async ({ ctx, slept }) => {
      await waitFor(() => ctx.metrics.counts.sent === 3, 'delivery');
      assert.deepEqual(rx.requests.map((r) => r.status), [503, 200]);
      assert.deepEqual(slept, [2000]);
      assert.equal(ctx.metrics.counts.retries, 1);
      assert.deepEqual(rx.logs.map((l) => l.attributes['log.record.uid']), ['edge:a.log:0', 'gcs:u.csv:7', 'edge:a.log:1']);
    });
  });

  test('400 is not retried: the batch goes to the dead letter with the reason', async () => {
    await run([{ status: 400, body: 'invalid log record' }], async ({ ctx, slept, dir }) => {
      await waitFor(() => ctx.metrics.counts.discarded.dead_letter === 3, 'dead letter');
      assert.deepEqual(rx.requests.map((r) => r.status), [400]);
      assert.deepEqual(slept, []);
      assert.equal(ctx.metrics.counts.retries, 0);
      assert.equal(ctx.metrics.counts.sent, 0);
      const dl = deadLetterDir(dir, 'otel_out');
      const files = readdirSync(dl);
      assert.equal(files.length, 1);
      const lines = readFileSync(`${dl}/${files[0]}`, 'utf8').trim().split('\n');
      assert.equal(lines.length, 3);
      assert.match(lines[0]!, /HTTP 400: invalid log record/);
    });
  });
});
