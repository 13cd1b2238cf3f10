/**
 * prometheus_exporter: MetricEvents in → /metrics → scraped back by the prometheus_scrape source
 * (round trip); expiry and the series bound on the store with a fake clock; auth; type conflicts.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { SourceContext } from '../../../../src/core/component.js';
import { makeMetricEvent, type Event, type MetricEvent } from '../../../../src/core/event.js';
import type { SinkDriver } from '../../../../src/delivery/types.js';
import { prometheusExporterSink, prometheusExporterSchema } from '../../../../sinks/prometheus_exporter/index.js';
import type { PrometheusExporterDriver } from '../../../../sinks/prometheus_exporter/sink.js';
import { SeriesStore } from '../../../../sinks/prometheus_exporter/series.js';
import { prometheusScrapeSource } from '../../../../src/sources/prometheus_scrape/index.js';
import { prometheusScrapeSchema } from '../../../../src/sources/prometheus_scrape/config.js';
import { testContext, waitFor } from '../../../helpers/context.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
// Counters and histograms here are running totals (as a scrape reports them), flagged `absolute`.
const m = (id: string, x: Omit<Parameters<typeof makeMetricEvent>[2], 'timestamp'>) => makeMetricEvent('agg', id, { absolute: x.kind !== 'gauge', ...x, timestamp: T0 });

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (b += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: b, type: res.headers['content-type'] }));
    }).on('error', reject).end();
  });
}

async function exporter(extra: Record<string, unknown> = {}, ctx = testContext('prom', 'prometheus_exporter')): Promise<PrometheusExporterDriver> {
  const cfg = prometheusExporterSchema.parse({ type: 'prometheus_exporter', inputs: ['a'], address: '127.0.0.1:0', ...extra });
  return (await prometheusExporterSink.build(cfg, ctx)) as PrometheusExporterDriver;
}

async function deliver(d: SinkDriver, evs: Event[]): Promise<void> {
  assert.deepEqual(await d.send(await d.encode(evs), AbortSignal.timeout(10_000)), { kind: 'ok' });
}

describe('prometheus_exporter sink', () => {
  const drivers: SinkDriver[] = [];
  after(async () => {
    for (const d of drivers) await d.close?.();
  });

  test('round trip: what the exporter is sent, prometheus_scrape reads back', async () => {
    const d = await exporter({ namespace: 'edge' });
    drivers.push(d);
    await deliver(d, [
      m('1', { name: 'requests_total', kind: 'counter', value: 100, tags: { pop: 'IAD', status: '200' } }),
      m('2', { name: 'requests_total', kind: 'counter', value: 7, tags: { pop: 'IAD', status: '503' } }),
      m('3', { name: 'hit.ratio', kind: 'gauge', value: 0.93, tags: { pop: 'AMS', 'cache-state': 'HIT' } }),
      m('4', { name: 'latency_seconds', kind: 'histogram', buckets: [{ le: 0.05, count: 3 }, { le: 0.5, count: 8 }, { le: Infinity, count: 10 }], sum: 2.75, count: 10, tags: { pop: 'IAD' } }),
    ]);
    // absolute counters are set, not added: the latest total wins
    await deliver(d, [m('5', { name: 'requests_total', kind: 'counter', value: 130, tags: { status: '200', pop: 'IAD' } })]);

    const page = await get(`http://127.0.0.1:${d.address.port}/metrics`);
    assert.equal(page.status, 200);
    assert.match(page.type!, /^text\/plain; version=0\.0\.4/);
    assert.match(page.body, /^# TYPE edge_requests_total counter$/m);
    assert.match(page.body, /^# TYPE edge_latency_seconds histogram$/m);

    const base = testContext('scrape', 'prometheus_scrape');
    const batches: Event[][] = [];
    const abort = new AbortController();
    const ctx: SourceContext = { ...base, signal: abort.signal, emit: async (evs) => void batches.push(evs) };
    const src = await prometheusScrapeSource.build(prometheusScrapeSchema.parse({ type: 'prometheus_scrape', endpoints: [`http://127.0.0.1:${d.address.port}/metrics`], interval_secs: 3600 }), ctx);
    await src.start();
    try {
      await waitFor(() => batches.length === 1, 'scrape', 10_000).catch((e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(src.describe?.())}`); });
    } finally {
      await src.stop();
    }
    const got = (batches[0] as MetricEvent[]).map((e) => ({ name: e.name, kind: e.kind, value: e.value, tags: e.tags, buckets: e.buckets, sum: e.sum, count: e.count }));
    const none = { buckets: undefined, sum: undefined, count: undefined };
    assert.deepEqual(got, [
      { name: 'edge_requests_total', kind: 'counter', value: 130, tags: { pop: 'IAD', status: '200' }, ...none },
      { name: 'edge_requests_total', kind: 'counter', value: 7, tags: { pop: 'IAD', status: '503' }, ...none },
      // name and label characters Prometheus does not allow become _
      { name: 'edge_hit_ratio', kind: 'gauge', value: 0.93, tags: { pop: 'AMS', cache_state: 'HIT' }, ...none },
      { name: 'edge_latency_seconds', kind: 'histogram', value: undefined, tags: { pop: 'IAD' }, buckets: [{ le: 0.05, count: 3 }, { le: 0.5, count: 8 }, { le: Infinity, count: 10 }], sum: 2.75, count: 10 },
    ]);
  });

  test('increments (events not flagged absolute, as aggregate emits them) add up; a kind conflict is discarded and counted', async () => {
    const ctx = testContext('prom', 'prometheus_exporter');
    const d = await exporter({}, ctx);
    drivers.push(d);
    await deliver(d, [m('1', { name: 'hits', kind: 'counter', value: 5, absolute: false }), m('2', { name: 'hits', kind: 'counter', value: 2, absolute: false })]);
    await deliver(d, [m('3', { name: 'hits', kind: 'counter', value: 4, absolute: false }), m('4', { name: 'hits', kind: 'gauge', value: 1 })]);
    // a running total in the same page is set, not added
    await deliver(d, [m('5', { name: 'totals', kind: 'counter', value: 40 }), m('6', { name: 'totals', kind: 'counter', value: 42 })]);
    const page = await get(`http://127.0.0.1:${d.address.port}/metrics`);
    assert.match(page.body, /^hits 11$/m);
    assert.match(page.body, /^totals 42$/m);
    assert.equal(ctx.metrics.counts.discarded.type_conflict, 1);
  });

  test('auth_token: scrapes need the bearer token; other paths are 404', async () => {
    const d = await exporter({ auth_token: 'scrape-secret' });
    drivers.push(d);
    const url = `http://127.0.0.1:${d.address.port}/metrics`;
    assert.equal((await get(url)).status, 401);
    assert.equal((await get(url, { authorization: 'Bearer nope' })).status, 401);
    assert.equal((await get(url, { authorization: 'Bearer scrape-secret' })).status, 200);
    assert.equal((await get(`http://127.0.0.1:${d.address.port}/other`)).status, 404);
  });

  test('series expire after expire_secs without updates; max_series bounds new label sets', () => {
    let now = 1_000_000;
    const s = new SeriesStore({ expireMs: 60_000, maxSeries: 2, counterMode: 'absolute', namespace: undefined, now: () => now });
    const families: string[] = [];
    s.onFamily = (f, added) => families.push(`${added ? '+' : '-'}${f.name}`);
    assert.deepEqual(s.apply([m('a', { name: 'g', kind: 'gauge', value: 1, tags: { k: 'a' } }), m('b', { name: 'g', kind: 'gauge', value: 2, tags: { k: 'b' } })]), { conflicts: 0, overLimit: 0, invalid: 0 });
    assert.deepEqual(s.apply([m('c', { name: 'g', kind: 'gauge', value: 3, tags: { k: 'c' } })]), { conflicts: 0, overLimit: 1, invalid: 0 });
    now += 30_000;
    s.apply([m('a2', { name: 'g', kind: 'gauge', value: 4, tags: { k: 'a' } })]); // refreshes k=a only
    now += 31_000; // k=b last seen 61 s ago, k=a 31 s ago
    assert.equal(s.expire(), 1);
    assert.equal(s.size, 1);
    assert.deepEqual(s.apply([m('c2', { name: 'g', kind: 'gauge', value: 5, tags: { k: 'c' } })]), { conflicts: 0, overLimit: 0, invalid: 0 });
    now += 61_000;
    assert.equal(s.expire(), 2);
    assert.deepEqual(families, ['+g', '-g']);
  });

  test('a disk buffer is refused with its key path', () => {
    const r = prometheusExporterSchema.safeParse({ type: 'prometheus_exporter', inputs: ['a'], buffer: { type: 'disk' } });
    assert.deepEqual(r.error!.issues.map((i) => i.path.join('.')), ['buffer.type']);
  });
});
