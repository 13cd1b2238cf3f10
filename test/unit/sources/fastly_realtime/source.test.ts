import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger, SourceContext } from '../../../../src/core/component.js';
import type { Event, MetricEvent } from '../../../../src/core/event.js';
import type { Timing } from '../../../../src/delivery/retry.js';
import { fastlyRealtimeSchema } from '../../../../src/sources/fastly_realtime/config.js';
import { FastlyRealtimeSource } from '../../../../src/sources/fastly_realtime/source.js';
import { testContext, waitFor } from '../../../helpers/context.js';
import { startFakeRt, type FakeRt } from './fake-rt.js';

const KEY = 'rt-key-1234';

interface Harness {
  source: FastlyRealtimeSource;
  ctx: SourceContext & ReturnType<typeof testContext>;
  events: Event[];
  sleeps: number[];
  logs: Array<{ level: string; msg: string }>;
  stop(): Promise<void>;
}

function recordingLogger(logs: Array<{ level: string; msg: string }>): Logger {
  const at = (level: string) => (o: object | string, msg?: string) => logs.push({ level, msg: typeof o === 'string' ? o : (msg ?? '') });
  const l: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => l };
  return l;
}

function start(fake: FakeRt, extra: Record<string, unknown> = {}, key = KEY): Harness {
  const config = fastlyRealtimeSchema.parse({ type: 'fastly_realtime', endpoint: fake.url, api_key: key, service_ids: ['svc'], retry_initial_backoff_secs: 2, retry_max_backoff_secs: 30, interval_secs: 1, ...extra });
  const ac = new AbortController();
  const events: Event[] = [];
  const sleeps: number[] = [];
  const logs: Array<{ level: string; msg: string }> = [];
  // Sleeps are recorded, not waited for; random() = 1 makes the jittered backoff its ceiling.
  const timing: Timing = { now: () => performance.now(), random: () => 1, sleep: (ms) => { sleeps.push(ms); return new Promise((r) => setImmediate(r)); } };
  const ctx = { ...testContext('rt', 'fastly_realtime'), logger: recordingLogger(logs), signal: ac.signal, emit: async (evs: Event[]) => { events.push(...evs); } };
  const source = new FastlyRealtimeSource(config, ctx, timing);
  void source.start();
  return {
    source, ctx, events, sleeps, logs,
    async stop() {
      ac.abort();
      await source.stop();
      await source.close();
    },
  };
}

const entry = (recorded: number, iad: number, lhr: number) => ({
  recorded,
  aggregated: { requests: iad + lhr, hits: iad, miss_time: 0.05, miss_histogram: { '0': 1, '20': 2 } },
  datacenter: { IAD: { requests: iad, hits: iad }, LHR: { requests: lhr, hits: 0 } },
});

test('follows the cursor (ts/0, then each Timestamp) and emits per-POP and aggregated metrics', async () => {
  const fake = await startFakeRt(KEY);
  fake.push(
    { body: { Timestamp: 1001, AggregateDelay: 2, Data: [entry(1000, 3, 4), entry(1001, 1, 0)] } },
    { body: { Timestamp: 1002, AggregateDelay: 2, Data: [entry(1002, 5, 6)] } },
    { body: { Timestamp: 1002, AggregateDelay: 2, Data: [], error: 'No data available, please retry' } },
  );
  const h = start(fake);
  try {
    await waitFor(() => fake.paths.length >= 4, 'the fourth poll');
    assert.deepEqual(fake.paths, ['/v1/channel/svc/ts/0', '/v1/channel/svc/ts/1001', '/v1/channel/svc/ts/1002', '/v1/channel/svc/ts/1002']);
    assert.deepEqual(fake.violations, []);
    const m = h.events as MetricEvent[];
    const requests = m.filter((e) => e.name === 'fastly_rt_requests').map((e) => [e.timestamp / 1000, e.tags.datacenter, e.value, e.kind, e.tags.service_id]);
    assert.deepEqual(requests, [
      [1000, 'aggregated', 7, 'counter', 'svc'], [1000, 'IAD', 3, 'counter', 'svc'], [1000, 'LHR', 4, 'counter', 'svc'],
      [1001, 'aggregated', 1, 'counter', 'svc'], [1001, 'IAD', 1, 'counter', 'svc'], [1001, 'LHR', 0, 'counter', 'svc'],
      [1002, 'aggregated', 11, 'counter', 'svc'], [1002, 'IAD', 5, 'counter', 'svc'], [1002, 'LHR', 6, 'counter', 'svc'],
    ]);
    const hist = m.find((e) => e.kind === 'histogram' && e.timestamp === 1000_000)!;
    assert.equal(hist.name, 'fastly_rt_miss_duration_ms');
    assert.deepEqual(hist.buckets, [{ le: 10, count: 1 }, { le: 30, count: 3 }, { le: Infinity, count: 3 }]);
    assert.equal(hist.count, 3);
    assert.ok(Math.abs(hist.sum! - 50) < 1e-9);
    // Stable ids: source, service, second, POP, key.
    assert.equal(m[0]!.id, 'rt:svc:1000:aggregated:requests');
    // After "No data available": backoff of at least interval_secs (here the 2 s initial backoff).
    assert.equal(h.sleeps.at(-1), 2000);
    assert.equal(h.source.statuses[0]!.state, 'no_data');
    assert.equal(h.source.statuses[0]!.cursor, 1002);
  } finally {
    await h.stop();
    await fake.close();
  }
});

test('start_at: history asks for ts/h first', async () => {
  const fake = await startFakeRt(KEY);
  fake.push({ body: { Timestamp: 500, AggregateDelay: 2, Data: [entry(499, 1, 1), entry(500, 1, 1)] } });
  const h = start(fake, { start_at: 'history', aggregated: false });
  try {
    await waitFor(() => fake.paths.length >= 2, 'two polls');
    assert.deepEqual(fake.paths.slice(0, 2), ['/v1/channel/svc/ts/h', '/v1/channel/svc/ts/500']);
    assert.ok(h.events.every((e) => e.type === 'metric' && e.tags.datacenter !== 'aggregated'));
  } finally {
    await h.stop();
    await fake.close();
  }
});

for (const status of [401, 403] as const) {
  test(`a rejected key (HTTP ${status}) is reported once, kept in the state, and retried at the longest backoff`, async () => {
    const fake = await startFakeRt(KEY);
    // 403: the fake's own key check (a wrong key); 401: scripted, as for a key the API does not know.
    const h = start(fake, {}, status === 403 ? 'not-the-key' : KEY);
    if (status === 401) for (let i = 0; i < 3; i++) fake.push({ status: 401, body: { msg: 'Provided credentials are missing or invalid' } });
    try {
      await waitFor(() => fake.paths.length >= 3, 'three polls');
      const st = h.source.statuses[0]!;
      assert.equal(st.state, 'unauthorized');
      assert.match(st.last_error!, new RegExp(`^HTTP ${status}: .*credentials are missing or invalid`));
      assert.equal(h.logs.filter((l) => l.level === 'error').length, 1, 'logged once, not per poll');
      assert.match(h.logs.find((l) => l.level === 'error')!.msg, new RegExp(`rejected the Fastly-Key \\(HTTP ${status}`));
      assert.ok(h.ctx.metrics.counts.errors['unauthorized/receiving']! >= 3);
      assert.ok(h.sleeps.slice(0, 3).every((s) => s === 30_000));
      assert.deepEqual(h.events, []);
      assert.ok(!JSON.stringify(h.source.describe()).includes(KEY), 'no key in the reported state');
      // The key is fixed (server side here): polls recover by themselves.
      fake.key = status === 403 ? 'not-the-key' : KEY;
      fake.push({ body: { Timestamp: 10, AggregateDelay: 2, Data: [entry(10, 1, 0)] } });
      await waitFor(() => h.source.statuses[0]!.state === 'ok', 'recovery');
      assert.equal(h.logs.filter((l) => l.msg === 'rt API polls succeed again').length, 1);
      assert.deepEqual(fake.violations, []);
    } finally {
      await h.stop();
      await fake.close();
    }
  });
}

test('5xx: Retry-After honoured, else exponential backoff; then data flows', async () => {
  const fake = await startFakeRt(KEY);
  fake.push(
    { status: 503, headers: { 'retry-after': '3' }, body: { msg: 'busy' } },
    { status: 500, body: { msg: 'oops' } },
    { status: 502, body: 'bad gateway' },
    { body: { Timestamp: 7, AggregateDelay: 2, Data: [entry(7, 2, 2)] } },
  );
  const h = start(fake);
  try {
    await waitFor(() => h.events.length > 0, 'data after the errors');
    // 3 s from Retry-After, then 2 s × 2^1, 2 s × 2^2 (random() = 1: the ceiling).
    assert.deepEqual(h.sleeps.slice(0, 3), [3000, 4000, 8000]);
    assert.equal(h.logs.filter((l) => l.level === 'warn').length, 1, 'one warning for the streak');
    assert.equal(h.ctx.metrics.counts.errors['poll_failed/receiving'], 3);
    await waitFor(() => h.source.statuses[0]!.state === 'ok', 'state ok');
    assert.deepEqual(fake.paths.slice(0, 5), ['/v1/channel/svc/ts/0', '/v1/channel/svc/ts/0', '/v1/channel/svc/ts/0', '/v1/channel/svc/ts/0', '/v1/channel/svc/ts/7']);
    assert.deepEqual(fake.violations, []);
  } finally {
    await h.stop();
    await fake.close();
  }
});

test('"No data available" backs off longer each time; stop ends a held long poll at once', async () => {
  const fake = await startFakeRt(KEY);
  const nodata = { body: { Timestamp: 50, AggregateDelay: 2, Data: [], error: 'No data available, please retry' } };
  fake.push(nodata, nodata, nodata, nodata);
  const h = start(fake, { retry_initial_backoff_secs: 1, retry_max_backoff_secs: 5, interval_secs: 1.5 });
  try {
    await waitFor(() => fake.paths.length >= 5, 'the fifth (held) poll');
    // max(interval 1.5 s, min(5 s, 1 s × 2^k)).
    assert.deepEqual(h.sleeps, [1500, 2000, 4000, 5000]);
    assert.deepEqual(fake.paths.slice(1), ['/v1/channel/svc/ts/50', '/v1/channel/svc/ts/50', '/v1/channel/svc/ts/50', '/v1/channel/svc/ts/50']);
  } finally {
    await h.stop(); // the fifth request is held by the fake: stop must abort it
    await fake.close();
  }
});
