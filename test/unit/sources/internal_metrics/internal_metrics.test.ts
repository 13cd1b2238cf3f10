import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { InternalMetric, SourceContext } from '../../../../src/core/component.js';
import type { Event, MetricEvent } from '../../../../src/core/event.js';
import { internalMetricsSource } from '../../../../src/sources/internal_metrics/index.js';
import { Telemetry } from '../../../../src/telemetry/metrics.js';
import { testContext, waitFor } from '../../../helpers/context.js';

/** prom-client's getMetricsAsJSON() shape, written by hand; `n` scales the counters per call. */
function fakeMetrics(n: number): InternalMetric[] {
  return [
    {
      name: 'edgetail_component_received_events_total', help: 'h', type: 'counter',
      values: [
        { value: 10 * n, labels: { component_id: 'edge', component_type: 'file' } },
        { value: 3 * n, labels: { component_id: 'gcs', component_type: 'file' } },
      ],
    },
    { name: 'edgetail_buffer_events', help: 'h', type: 'gauge', values: [{ value: 42, labels: { component_id: 's3', component_type: 'aws_s3' } }] },
    {
      name: 'edgetail_sink_request_duration_seconds', help: 'h', type: 'histogram',
      values: [
        { value: 0, metricName: 'edgetail_sink_request_duration_seconds_bucket', labels: { le: 0.1, component_id: 's3', outcome: 'ok' } },
        { value: n, metricName: 'edgetail_sink_request_duration_seconds_bucket', labels: { le: 1, component_id: 's3', outcome: 'ok' } },
        { value: 2 * n, metricName: 'edgetail_sink_request_duration_seconds_bucket', labels: { le: '+Inf', component_id: 's3', outcome: 'ok' } },
        { value: 2.5 * n, metricName: 'edgetail_sink_request_duration_seconds_sum', labels: { component_id: 's3', outcome: 'ok' } },
        { value: 2 * n, metricName: 'edgetail_sink_request_duration_seconds_count', labels: { component_id: 's3', outcome: 'ok' } },
      ],
    },
  ];
}

function harness(getMetrics: (() => Promise<InternalMetric[]>) | undefined) {
  const abort = new AbortController();
  const batches: Event[][] = [];
  const ctx: SourceContext = {
    ...testContext('own', 'internal_metrics'),
    getMetrics,
    signal: abort.signal,
    emit: async (events) => {
      batches.push(events);
    },
  };
  return { ctx, batches, abort };
}

const parse = (raw: Record<string, unknown>) => internalMetricsSource.schema.parse({ type: 'internal_metrics', ...raw });

function byName(batch: Event[], name: string, tag?: [string, string]): MetricEvent {
  const m = (batch as MetricEvent[]).find((e) => e.name === name && (!tag || e.tags[tag[0]] === tag[1]));
  assert.ok(m, `metric ${name} ${tag?.join('=') ?? ''} not emitted`);
  return m;
}

describe('internal_metrics source', () => {
  test('schema defaults and strictness', () => {
    assert.deepEqual(parse({}), { type: 'internal_metrics', interval_secs: 10, counter_mode: 'absolute' });
    assert.equal(internalMetricsSource.schema.safeParse({ type: 'internal_metrics', interval: 5 }).success, false);
    assert.equal(internalMetricsSource.schema.safeParse({ type: 'internal_metrics', namespace: 'has space' }).success, false);
  });

  test('counters (absolute), gauges and histograms from getMetrics, every interval', async () => {
    let calls = 0;
    const h = harness(async () => fakeMetrics(++calls));
    const src = await internalMetricsSource.build(parse({ interval_secs: 0.02 }), h.ctx);
    await src.start();
    await waitFor(() => h.batches.length >= 2, 'two emissions');
    await src.stop();
    const [first, second] = h.batches as [Event[], Event[]];
    assert.equal(first.length, 4); // 2 counter series + 1 gauge + 1 histogram
    const c = byName(first, 'edgetail_component_received_events_total', ['component_id', 'edge']);
    assert.equal(c.kind, 'counter');
    assert.equal(c.value, 10);
    assert.deepEqual(c.tags, { component_id: 'edge', component_type: 'file' });
    assert.equal(byName(first, 'edgetail_component_received_events_total', ['component_id', 'gcs']).value, 3);
    const g = byName(first, 'edgetail_buffer_events');
    assert.equal(g.kind, 'gauge');
    assert.equal(g.value, 42);
    const hist = byName(first, 'edgetail_sink_request_duration_seconds');
    assert.equal(hist.kind, 'histogram');
    assert.equal(hist.value, undefined);
    assert.deepEqual(hist.buckets, [{ le: 0.1, count: 0 }, { le: 1, count: 1 }, { le: Infinity, count: 2 }]);
    assert.equal(hist.sum, 2.5);
    assert.equal(hist.count, 2);
    assert.deepEqual(hist.tags, { component_id: 's3', outcome: 'ok' });
    // Absolute: the second emission carries the running totals, not the change.
    assert.equal(byName(second, 'edgetail_component_received_events_total', ['component_id', 'edge']).value, 20);
    assert.deepEqual(byName(second, 'edgetail_sink_request_duration_seconds').buckets, [{ le: 0.1, count: 0 }, { le: 1, count: 2 }, { le: Infinity, count: 4 }]);
    for (const e of first) {
      assert.equal(e.source, 'own');
      assert.match(e.id, /^own:0:\d+$/);
    }
    assert.equal(new Set(first.map((e) => e.id)).size, first.length);
  });

  test('counter_mode incremental: the change since the previous emission; namespace prefixes names', async () => {
    let calls = 0;
    const h = harness(async () => fakeMetrics(++calls));
    const src = await internalMetricsSource.build(parse({ interval_secs: 0.02, counter_mode: 'incremental', namespace: 'pop1' }), h.ctx);
    await src.start();
    await waitFor(() => h.batches.length >= 3, 'three emissions');
    await src.stop();
    const [first, second, third] = h.batches as [Event[], Event[], Event[]];
    const name = 'pop1_edgetail_component_received_events_total';
    assert.equal(byName(first, name, ['component_id', 'edge']).value, 10);
    assert.equal(byName(second, name, ['component_id', 'edge']).value, 10);
    assert.equal(byName(third, name, ['component_id', 'gcs']).value, 3);
    assert.equal(byName(second, 'pop1_edgetail_buffer_events').value, 42, 'gauges stay absolute');
    const hist = byName(second, 'pop1_edgetail_sink_request_duration_seconds');
    assert.deepEqual(hist.buckets, [{ le: 0.1, count: 0 }, { le: 1, count: 1 }, { le: Infinity, count: 2 }]);
    assert.equal(hist.sum, 2.5);
    assert.equal(hist.count, 2);
  });

  test("reads edgetail's real registry (prom-client)", async () => {
    const telemetry = new Telemetry(false);
    telemetry.component('edge', 'file').received(5, 500);
    telemetry.component('s3', 'aws_s3').requestDone(0.3, 'ok');
    const h = harness(async () => (await telemetry.registry.getMetricsAsJSON()) as unknown as InternalMetric[]);
    const src = await internalMetricsSource.build(parse({ interval_secs: 0.02 }), h.ctx);
    await src.start();
    await waitFor(() => h.batches.length >= 1, 'an emission');
    await src.stop();
    const batch = h.batches[0]!;
    const recv = byName(batch, 'edgetail_component_received_events_total', ['component_id', 'edge']);
    assert.equal(recv.kind, 'counter');
    assert.equal(recv.value, 5);
    const d = byName(batch, 'edgetail_sink_request_duration_seconds', ['component_id', 's3']);
    assert.equal(d.count, 1);
    assert.equal(d.sum, 0.3);
    assert.equal(d.buckets!.find((b) => b.le === 0.25)!.count, 0);
    assert.equal(d.buckets!.find((b) => b.le === 0.5)!.count, 1);
    assert.equal(d.buckets!.at(-1)!.le, Infinity);
  });

  test('stops cleanly: no emission after stop(), even with a read in progress', async () => {
    let release!: () => void;
    let calls = 0;
    const h = harness(() => {
      calls++;
      return new Promise<InternalMetric[]>((r) => (release = () => r(fakeMetrics(1))));
    });
    const src = await internalMetricsSource.build(parse({ interval_secs: 0.02 }), h.ctx);
    await src.start();
    await waitFor(() => calls === 1, 'a read in progress');
    const stopped = src.stop();
    release();
    await stopped;
    const n = h.batches.length;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.batches.length, n);
    assert.equal(calls, 1, 'no read after stop()');
  });

  test('without a registry it emits nothing and still stops', async () => {
    const h = harness(undefined);
    const src = await internalMetricsSource.build(parse({ interval_secs: 0.01 }), h.ctx);
    await src.start();
    h.abort.abort();
    await src.stop();
    assert.equal(h.batches.length, 0);
  });
});
