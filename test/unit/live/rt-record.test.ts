import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtCounter } from '../../../src/live/rt-accumulate.js';
import { LiveStore } from '../../../src/live/rollup.js';
import { RecordError, parseIngestBody, rollupSeconds, toRecords, type RtRecord } from '../../../src/live/rt-record.js';
import { toRtEntry } from '../../../src/live/rt-response.js';
import { T0, buildSample, expectedFor } from './fixture.js';

/** The sample's events of the default service (the sink posts to one service id). */
const sample = () => buildSample().filter((e) => e.fields.service_id === undefined);

function counter(): () => number {
  let n = 100;
  return () => n++;
}

function pick(stats: Record<string, unknown>, keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, stats[k] as number]));
}

test('records of a batch: one per second, aggregated and per POP, equal to independent counts', () => {
  const events = sample();
  const recs = toRecords(rollupSeconds(events, new RtCounter()), 'agent-a', counter());
  assert.deepEqual(recs.map((r) => [r.agent_id, r.seq, r.recorded]), [['agent-a', 100, T0], ['agent-a', 101, T0 + 1], ['agent-a', 102, T0 + 2]]);
  for (const r of recs) {
    for (const pop of [undefined, 'IAD', 'LHR']) {
      const exp = expectedFor(events, r.recorded, pop);
      const got = pop === undefined ? r.aggregated : r.datacenter[pop]!;
      assert.deepEqual(pick(got, Object.keys(exp.counts)), exp.counts, `second ${r.recorded} pop ${pop ?? 'aggregated'}`);
      assert.ok(Math.abs((got.hits_time as number) - exp.hitsTime) < 1e-9);
      assert.ok(Math.abs((got.miss_time as number) - exp.missTime) < 1e-9);
      assert.deepEqual(got.miss_histogram, exp.hist);
    }
    assert.deepEqual(Object.keys(r.datacenter).sort(), ['IAD', 'LHR']);
  }
});

test('origin-layer and metric events make no record; an empty batch makes none', () => {
  const origin = buildSample().filter((e) => e.fields.layer === 'origin');
  assert.equal(origin.length, 12);
  assert.deepEqual(rollupSeconds(origin, new RtCounter()), []);
  assert.deepEqual(rollupSeconds([], new RtCounter()), []);
});

test('records of two agents merged into a store equal the raw events ingested directly', () => {
  const events = sample();
  const now = () => (T0 + 10) * 1000;
  const direct = new LiveStore({ now });
  direct.ingest(events, 'svc');
  const merged = new LiveStore({ now });
  const c = new RtCounter();
  // Two agents with interleaved halves: the same seconds and POPs from both.
  const halves = [events.filter((_, i) => i % 2 === 0), events.filter((_, i) => i % 2 === 1)];
  for (const [i, half] of halves.entries()) {
    const body = JSON.parse(JSON.stringify({ records: toRecords(rollupSeconds(half, c), `agent-${i}`, counter()) })) as unknown;
    for (const r of parseIngestBody(body)) assert.equal(merged.mergeSecond('svc', r.second), 'merged');
  }
  const a = direct.seconds('svc', 0, T0 + 100).map(toRtEntry);
  const b = merged.seconds('svc', 0, T0 + 100).map(toRtEntry);
  assert.equal(a.length, 3);
  // Float sums (hits_time) may differ in the last bit with another order of addition.
  const round = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v)));
  assert.deepEqual(round(b), round(a));
  // Edge counters of the dashboard-side buckets follow too.
  assert.deepEqual(merged.seconds('svc', 0, T0 + 100).map((s) => s.edge), direct.seconds('svc', 0, T0 + 100).map((s) => s.edge));
});

test('requests without a POP survive the trip as aggregated minus datacenter', () => {
  const rec = { agent_id: 'a', seq: 1, recorded: T0, aggregated: { requests: 5, hits: 3, miss_histogram: { '10': 2 } }, datacenter: { IAD: { requests: 2, hits: 1, miss_histogram: { '10': 1 } } } };
  const [p] = parseIngestBody({ records: [rec] });
  assert.equal(p!.second.pops.get('IAD')!.c[0], 2);
  assert.equal(p!.second.noPop!.c[0], 3); // requests
  assert.equal(p!.second.noPop!.c[1], 2); // hits
  assert.deepEqual([...p!.second.noPop!.hist], [[10, 1]]);
  const store = new LiveStore({ now: () => (T0 + 5) * 1000 });
  store.mergeSecond('s', p!.second);
  const e = toRtEntry(store.seconds('s', 0, T0)[0]!);
  assert.equal(e.aggregated.requests, 5);
  assert.equal(e.datacenter.IAD!.requests, 2);
  assert.deepEqual(e.aggregated.miss_histogram, { '10': 2 });
});

test('bad bodies are rejected with the path of the problem', () => {
  const good = (): RtRecord => ({ agent_id: 'a', seq: 1, recorded: T0, aggregated: { requests: 1 }, datacenter: { IAD: { requests: 1 } } });
  const bad = (mut: (r: Record<string, unknown>) => void): string => {
    const r = good() as unknown as Record<string, unknown>;
    mut(r);
    try {
      parseIngestBody({ records: [good(), r] });
    } catch (err) {
      assert.ok(err instanceof RecordError);
      return err.message;
    }
    return 'accepted';
  };
  assert.equal(bad((r) => delete r.agent_id), 'records[1].agent_id: expected a non-empty string of at most 256 characters');
  assert.equal(bad((r) => (r.seq = -1)), 'records[1].seq: expected a non-negative integer');
  assert.equal(bad((r) => (r.seq = 1.5)), 'records[1].seq: expected a non-negative integer');
  assert.equal(bad((r) => (r.recorded = '2024')), 'records[1].recorded: expected unix seconds (a positive integer)');
  assert.equal(bad((r) => (r.datacenter = { IAD: { requests: 'x' } })), 'records[1].datacenter.IAD.requests: expected a non-negative number');
  assert.equal(bad((r) => (r.datacenter = { IAD: { requests: -1 } })), 'records[1].datacenter.IAD.requests: expected a non-negative number');
  assert.equal(bad((r) => (r.datacenter = { IAD: [] })), 'records[1].datacenter.IAD: expected an object of rt counters');
  assert.equal(bad((r) => (r.aggregated = { requests: 0 })), 'records[1].aggregated.requests: less than the sum over datacenter');
  assert.equal(bad((r) => (r.aggregated = { miss_histogram: { '15': 1 } })), 'records[1].aggregated.miss_histogram.15: expected a bucket key that is a multiple of 10 (ms)');
  // Unknown keys are ignored (a newer agent), not rejected.
  assert.equal(bad((r) => ((r.aggregated as Record<string, unknown>).bandwidth_new = 'x')), 'accepted');
  assert.throws(() => parseIngestBody([]), /expected \{"records":\[…\]\}/);
  assert.throws(() => parseIngestBody({ records: new Array(10_001).fill(good()) }), /more than 10000 records/);
});

test('mergeSecond: late and future records are not merged', () => {
  const store = new LiveStore({ now: () => (T0 + 1000) * 1000, retentionSecs: 900, futureSkewSecs: 60 });
  const sec = (s: number) => ({ sec: s, pops: new Map(), noPop: undefined });
  assert.equal(store.mergeSecond('s', sec(T0 + 100)), 'late');
  assert.equal(store.mergeSecond('s', sec(T0 + 101)), 'merged');
  assert.equal(store.mergeSecond('s', sec(T0 + 1061)), 'future');
});
