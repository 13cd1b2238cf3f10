import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, OTHER } from '../../../src/transforms/aggregate.js';
import type { MetricEvent } from '../../../src/core/event.js';
import { build, log, metric, problems } from './events.js';

const byTags = (evs: MetricEvent[], name: string) =>
  new Map(evs.filter((e) => e.name === name).map((e) => [JSON.stringify(e.tags), e]));

describe('aggregate', () => {
  test('counters count or sum per group; gauges keep the last value; log events are consumed', async () => {
    const { transform } = await build(aggregate, {
      group_by: ['pop', 'cache_state'],
      metrics: [
        { name: 'edge_requests', kind: 'counter' },
        { name: 'edge_bytes', kind: 'counter', field: 'resp_bytes' },
        { name: 'edge_errors', kind: 'counter', condition: 'status >= 500', tags: { team: 'cdn' } },
        { name: 'edge_last_ttfb', kind: 'gauge', field: 'ttfb' },
      ],
    });
    const out = transform.process([
      log({ pop: 'IAD', cache_state: 'HIT', resp_bytes: 100, status: 200, ttfb: 0.5 }),
      log({ pop: 'IAD', cache_state: 'HIT', resp_bytes: 250, status: 503, ttfb: 0.25 }),
      log({ pop: 'LHR', cache_state: 'MISS', resp_bytes: '40', status: 200, ttfb: 1 }),
      log({ pop: 'IAD', resp_bytes: 5, status: 500 }), // no cache_state: the tag is left out; no ttfb: gauge skipped
    ]);
    assert.deepEqual(out, [], 'log events do not pass through');
    const evs = transform.stop!() as MetricEvent[];
    const req = byTags(evs, 'edge_requests');
    assert.equal(req.size, 3);
    assert.equal(req.get(JSON.stringify({ pop: 'IAD', cache_state: 'HIT' }))!.value, 2);
    assert.equal(req.get(JSON.stringify({ pop: 'LHR', cache_state: 'MISS' }))!.value, 1);
    assert.equal(req.get(JSON.stringify({ pop: 'IAD' }))!.value, 1);
    assert.equal(byTags(evs, 'edge_bytes').get(JSON.stringify({ pop: 'IAD', cache_state: 'HIT' }))!.value, 350);
    assert.equal(byTags(evs, 'edge_bytes').get(JSON.stringify({ pop: 'LHR', cache_state: 'MISS' }))!.value, 40, 'numeric strings count');
    const errors = byTags(evs, 'edge_errors');
    assert.deepEqual([...errors.keys()].sort(), [JSON.stringify({ team: 'cdn', pop: 'IAD' }), JSON.stringify({ team: 'cdn', pop: 'IAD', cache_state: 'HIT' })].sort());
    for (const e of errors.values()) assert.equal(e.value, 1);
    const ttfb = byTags(evs, 'edge_last_ttfb');
    assert.equal(ttfb.get(JSON.stringify({ pop: 'IAD', cache_state: 'HIT' }))!.value, 0.25);
    assert.equal(ttfb.size, 2);
    for (const e of evs) assert.ok(e.kind === 'counter' || e.name === 'edge_last_ttfb');
    assert.deepEqual(transform.stop!(), [], 'a flushed window starts empty');
  });

  test('histograms: cumulative buckets with +Inf last, sum and count', async () => {
    const { transform } = await build(aggregate, { metrics: [{ name: 'ttfb_seconds', kind: 'histogram', field: 'ttfb', buckets: [0.1, 1] }] });
    transform.process([0.05, 0.1, 0.5, 2, 3].map((ttfb) => log({ ttfb })));
    const [h] = transform.stop!() as MetricEvent[];
    assert.equal(h!.kind, 'histogram');
    assert.deepEqual(h!.buckets, [
      { le: 0.1, count: 2 },
      { le: 1, count: 3 },
      { le: Infinity, count: 5 },
    ]);
    assert.equal(h!.count, 5);
    assert.equal(h!.sum, 5.65);
    assert.deepEqual(h!.tags, {});
  });

  test('metric events pass through; non-numeric values are skipped', async () => {
    const { transform, ctx } = await build(aggregate, { metrics: [{ name: 'bytes', kind: 'counter', field: 'resp_bytes' }] });
    const m = metric('other', 3);
    const out = transform.process([m, log({ resp_bytes: 'lots' }), log({ resp_bytes: 7 })]);
    assert.deepEqual(out, [m]);
    const evs = transform.stop!() as MetricEvent[];
    assert.equal(evs.length, 1);
    assert.equal(evs[0]!.value, 7);
    assert.equal(ctx.metrics.counts.errors['non_numeric_value/processing'], 1);
    assert.equal(ctx.metrics.counts.sent, 1, 'the flushed window counts as sent');
  });

  test('max_series folds new groups into __other__', async () => {
    const { transform } = await build(aggregate, { group_by: ['client_ip'], max_series: 2, metrics: [{ name: 'req', kind: 'counter' }] });
    transform.process(['a', 'b', 'c', 'd', 'a', 'c'].map((client_ip) => log({ client_ip })));
    const evs = byTags(transform.stop!() as MetricEvent[], 'req');
    assert.equal(evs.get(JSON.stringify({ client_ip: 'a' }))!.value, 2);
    assert.equal(evs.get(JSON.stringify({ client_ip: 'b' }))!.value, 1);
    assert.equal(evs.get(JSON.stringify({ client_ip: OTHER }))!.value, 3, 'c, d, c');
    assert.equal(evs.size, 3);
    assert.equal(transform.describe!().overflowed_events, 3);
  });

  test('the timer emits each window through start(emit)', async () => {
    const { transform } = await build(aggregate, { interval_secs: 0.05, metrics: [{ name: 'req', kind: 'counter' }] });
    const windows: MetricEvent[][] = [];
    transform.start!((evs) => windows.push(evs as MetricEvent[]));
    try {
      transform.process([log({}), log({})]);
      const deadline = Date.now() + 30_000;
      while (windows.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(windows.length, 1);
      assert.equal(windows[0]![0]!.value, 2);
    } finally {
      transform.stop!();
    }
  });

  test('schema: names key paths of bad metric definitions', () => {
    assert.deepEqual(problems(aggregate, { metrics: [] }), ['metrics: expected at least one metric']);
    const p = problems(aggregate, {
      metrics: [
        { name: 'ok', kind: 'gauge' },
        { name: '9bad', kind: 'counter' },
        { name: 'h', kind: 'histogram', field: 'x', buckets: [1, 1] },
        { name: 'c', kind: 'counter', buckets: [1] },
      ],
    });
    assert.ok(p.includes('metrics.0.field: a gauge needs a field'), p.join('\n'));
    assert.ok(p.some((s) => s.startsWith('metrics.1.name: expected a metric name')), p.join('\n'));
    assert.ok(p.includes('metrics.2.buckets: bucket bounds must increase strictly'), p.join('\n'));
    assert.ok(p.includes('metrics.3.buckets: buckets only apply to histograms'), p.join('\n'));
  });
});
