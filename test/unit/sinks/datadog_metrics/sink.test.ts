import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { makeMetricEvent, type Event } from '../../../../src/core/event.js';
import type { SendResult, SinkDriver } from '../../../../src/delivery/types.js';
import { datadogMetricsSink } from '../../../../sinks/datadog_metrics/index.js';
import { metricsBaseUrl } from '../../../../sinks/datadog_metrics/sink.js';
import { startDatadogReceiver, type DatadogReceiver } from '../../../helpers/datadog-receiver.js';
import { testContext } from '../../../helpers/context.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0); // 1714564800 s

function reasonOf(r: SendResult): string {
  return r.kind === 'ok' ? '' : r.reason;
}

describe('datadog_metrics sink against the strict intake', () => {
  let rx: DatadogReceiver;
  const drivers: SinkDriver[] = [];
  let ctx = testContext('ddm', 'datadog_metrics');
  const driver = async (extra: Record<string, unknown> = {}): Promise<SinkDriver> => {
    ctx = testContext('ddm', 'datadog_metrics');
    const cfg = datadogMetricsSink.schema.parse({ type: 'datadog_metrics', inputs: ['agg'], endpoint: rx.url, api_key: rx.apiKey, ...extra });
    const d = await datadogMetricsSink.build(cfg, ctx);
    drivers.push(d);
    return d;
  };
  const roundTrip = async (d: SinkDriver, evs: Event[]): Promise<SendResult> => d.send(await d.encode(evs), AbortSignal.timeout(60_000));

  before(async () => { rx = await startDatadogReceiver(); });
  beforeEach(() => { rx.reset(); rx.clearFault(); });
  after(async () => {
    for (const d of drivers) await d.close?.();
    await rx.close();
  });

  test('site maps to the API host; endpoint overrides it', () => {
    assert.equal(metricsBaseUrl({ site: 'us3.datadoghq.com', endpoint: undefined }), 'https://api.us3.datadoghq.com');
  });

  test('counters land as count (1), gauges as gauge (3), with tags, host resource and second timestamps', async () => {
    const d = await driver({ namespace: 'fastly', tags: ['env:prod'] });
    const evs = [
      makeMetricEvent('agg', 'a:1', { name: 'requests', kind: 'counter', value: 42, tags: { pop: 'IAD', host: 'cache-iad1' }, timestamp: T0 + 999 }),
      makeMetricEvent('agg', 'a:2', { name: 'hit_ratio', kind: 'gauge', value: 0.93, tags: { pop: 'LHR' }, timestamp: T0 + 10_000 }),
    ];
    assert.deepEqual(await roundTrip(d, evs), { kind: 'ok' });
    assert.equal(rx.requests.length, 1);
    assert.equal(rx.requests[0]!.path, '/api/v2/series');
    assert.equal(rx.requests[0]!.headers['content-encoding'], 'gzip');
    assert.equal(rx.requests[0]!.headers['dd-api-key'], rx.apiKey);
    assert.deepEqual(rx.series, [
      { metric: 'fastly.requests', type: 1, points: [{ timestamp: 1714564800, value: 42 }], tags: ['pop:IAD', 'env:prod'], resources: [{ name: 'cache-iad1', type: 'host' }] },
      { metric: 'fastly.hit_ratio', type: 3, points: [{ timestamp: 1714564810, value: 0.93 }], tags: ['pop:LHR', 'env:prod'] },
    ]);
  });

  test('histograms → .count and .sum counts and an .avg gauge; buckets not sent', async () => {
    const d = await driver({ compression: 'none' });
    const h = makeMetricEvent('agg', 'h:1', { name: 'elapsed_seconds', kind: 'histogram', buckets: [{ le: 1, count: 3 }, { le: Infinity, count: 4 }], sum: 2.5, count: 4, timestamp: T0 });
    assert.equal((await roundTrip(d, [h])).kind, 'ok');
    assert.deepEqual(rx.series.map((s) => [s.metric, s.type, s.points[0]!.value]), [
      ['elapsed_seconds.count', 1, 4],
      ['elapsed_seconds.sum', 1, 2.5],
      ['elapsed_seconds.avg', 3, 0.625],
    ]);
  });

  test('counter_type rate divides by interval_secs and sends interval', async () => {
    const d = await driver({ counter_type: 'rate', interval_secs: 10 });
    const c = makeMetricEvent('agg', 'c:1', { name: 'requests', kind: 'counter', value: 50, timestamp: T0 });
    assert.equal((await roundTrip(d, [c])).kind, 'ok');
    assert.deepEqual(rx.series, [{ metric: 'requests', type: 2, points: [{ timestamp: 1714564800, value: 5 }], interval: 10 }]);
    assert.equal(datadogMetricsSink.schema.safeParse({ type: 'datadog_metrics', inputs: ['a'], api_key: 'k', counter_type: 'rate' }).success, false);
  });

  test('non-finite values are skipped and counted', async () => {
    const d = await driver();
    const evs = [
      makeMetricEvent('agg', 'n:1', { name: 'bad', kind: 'gauge', value: NaN, timestamp: T0 }),
      makeMetricEvent('agg', 'n:2', { name: 'good', kind: 'gauge', value: 1, timestamp: T0 }),
    ];
    assert.equal((await roundTrip(d, evs)).kind, 'ok');
    assert.deepEqual(rx.series.map((s) => s.metric), ['good']);
    assert.equal(ctx.metrics.counts.errors['non_finite_value/encoding'], 1);
  });

  test('a large batch is split under the payload limits (uncompressed: ≤ 500 KB per request)', async () => {
    const d = await driver({ compression: 'none' });
    const evs: Event[] = [];
    for (let i = 0; i < 8000; i++) evs.push(makeMetricEvent('agg', `m:${i}`, { name: 'requests', kind: 'counter', value: i, tags: { pop: `P${i}` }, timestamp: T0 }));
    assert.equal((await roundTrip(d, evs)).kind, 'ok');
    assert.ok(rx.requests.length >= 2, `${rx.requests.length} requests`);
    for (const r of rx.requests) assert.ok(r.status === 202 && r.wireBytes <= 500 * 1024, `${r.status} ${r.wireBytes}`);
    assert.deepEqual(rx.series.map((s) => s.points[0]!.value), Array.from({ length: 8000 }, (_, i) => i));
  });

  test('413 → split and delivered', async () => {
    const d = await driver();
    rx.setFault({ status: 413, overEntries: 30 });
    const evs: Event[] = [];
    for (let i = 0; i < 100; i++) evs.push(makeMetricEvent('agg', `m:${i}`, { name: 'g', kind: 'gauge', value: i, timestamp: T0 }));
    assert.equal((await roundTrip(d, evs)).kind, 'ok');
    assert.deepEqual(rx.series.map((s) => s.points[0]!.value), Array.from({ length: 100 }, (_, i) => i));
  });

  test('503 with Retry-After → retryable with afterMs; bad key → permanent without the key', async () => {
    const c = [makeMetricEvent('agg', 'c:1', { name: 'requests', kind: 'counter', value: 1, timestamp: T0 })];
    const d = await driver();
    rx.setFault({ status: 503, retryAfterSecs: 3 });
    const r = await roundTrip(d, c);
    assert.equal(r.kind, 'retryable');
    assert.equal(r.kind === 'retryable' ? r.afterMs : undefined, 3000);
    rx.clearFault();
    const key = 'not-the-key-987654';
    const bad = await driver({ api_key: key });
    const p = await roundTrip(bad, c);
    assert.equal(p.kind, 'permanent');
    assert.match(reasonOf(p), /HTTP 403/);
    assert.ok(!reasonOf(p).includes(key));
    assert.equal(rx.series.length, 0);
  });
});
