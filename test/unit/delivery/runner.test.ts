import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { EdgetailError } from '../../../src/core/errors.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { SinkRunner } from '../../../src/delivery/runner.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { FakeDriver, events, feed, gate, harness, sinkConfig, tracked } from './fakes.js';
import { waitFor } from '../../helpers/context.js';

describe('SinkRunner batching', () => {
  test('sends a batch as soon as max_events is reached; the rest waits for the drain flush', async () => {
    const h = harness(sinkConfig({ batch: { max_events: 3, timeout_secs: 600 }, request: { concurrency: 1 } }));
    await h.runner.start();
    await feed([h.runner], events('e', 7));
    await waitFor(() => h.driver.delivered.length === 6, 'two full batches');
    assert.deepEqual(h.driver.batchSizes(), [3, 3]);
    await h.runner.drain(10_000);
    assert.deepEqual(h.driver.batchSizes(), [3, 3, 1]);
    assert.deepEqual(h.driver.delivered, ['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    assert.equal(h.ctx.metrics.counts.received, 7);
    assert.equal(h.ctx.metrics.counts.sent, 7);
    await h.cleanup();
  });

  test('a push waiting for buffer room gets a batch sent at once, not after the batch timeout', async () => {
    const h = harness(sinkConfig({ batch: { max_events: 1000, timeout_secs: 600 }, buffer: { type: 'memory', max_events: 10, when_full: 'block', sync: 'batch' }, request: { concurrency: 1 } }));
    await h.runner.start();
    await feed([h.runner], events('a', 8));
    // 8 + 5 > 10: this push waits; the loop must take the 8 buffered events for it.
    const waiting = feed([h.runner], events('b', 5));
    await waitFor(() => h.driver.delivered.length >= 8, 'the buffered events sent for the waiting push', 10_000);
    await waiting;
    assert.deepEqual(h.driver.batchSizes()[0], 8);
    await h.runner.drain(10_000);
    assert.equal(h.driver.delivered.length, 13);
    await h.cleanup();
  });

  test('cuts batches by max_bytes (event.size)', async () => {
    const h = harness(sinkConfig({ batch: { max_events: 100, max_bytes: 100, timeout_secs: 600 }, request: { concurrency: 1 } }));
    await h.runner.start();
    await feed([h.runner], events('e', 5, 40)); // 40+40 = 80 fits, a third would make 120
    await waitFor(() => h.driver.delivered.length === 4, 'two byte-full batches');
    assert.deepEqual(h.driver.batchSizes(), [2, 2]);
    await h.runner.drain(10_000);
    assert.deepEqual(h.driver.batchSizes(), [2, 2, 1]);
    await h.cleanup();
  });

  test('sends a partial batch once its oldest event waited timeout_secs', async () => {
    const h = harness(sinkConfig({ batch: { max_events: 1000, timeout_secs: 0.05 } }));
    await h.runner.start();
    await feed([h.runner], events('e', 3));
    await waitFor(() => h.driver.delivered.length === 3, 'timed-out batch');
    assert.deepEqual(h.driver.batchSizes(), [3]);
    await h.cleanup();
  });

  test('uses the sink batch defaults when the config sets none', async () => {
    const h = harness(sinkConfig({ request: { concurrency: 1 } }), new FakeDriver(), { batchDefaults: { max_events: 2, timeout_secs: 600 } });
    assert.deepEqual(h.runner.batch, { max_events: 2, max_bytes: 1_048_576, timeout_secs: 600 });
    await h.runner.start();
    await feed([h.runner], events('e', 4));
    await waitFor(() => h.driver.delivered.length === 4, 'batches of the default size');
    assert.deepEqual(h.driver.batchSizes(), [2, 2]);
    await h.cleanup();
  });

  test('never mutates the events or the array it was given', async () => {
    const h = harness(sinkConfig({ batch: { max_events: 2, timeout_secs: 600 } }));
    await h.runner.start();
    const evs = events('e', 5);
    const snapshot = JSON.stringify(evs);
    await feed([h.runner], evs);
    await h.runner.drain(10_000);
    assert.equal(JSON.stringify(evs), snapshot);
    assert.equal(evs.length, 5);
    await h.cleanup();
  });
});

describe('SinkRunner finalizers', () => {
  test('released once, as delivered, only after the send succeeded', async () => {
    const g = gate();
    const driver = new FakeDriver(async () => {
      await g.promise;
      return { kind: 'ok' };
    });
    const h = harness(sinkConfig({ batch: { max_events: 2, timeout_secs: 600 } }), driver);
    await h.runner.start();
    const t = tracked();
    await feed([h.runner], events('e', 2), t.fin);
    await waitFor(() => driver.sends.length === 1, 'the send to start');
    await tick();
    assert.deepEqual(t.statuses, [], 'not released while the request is in flight');
    g.open();
    await waitFor(() => t.statuses.length === 1, 'release');
    assert.deepEqual(t.statuses, ['delivered']);
    await h.runner.drain(10_000);
    assert.deepEqual(t.statuses, ['delivered']);
    await h.cleanup();
  });

  test('one accept split over several batches is released once, after the last piece', async () => {
    const h = harness(sinkConfig({ batch: { max_events: 2, timeout_secs: 600 }, request: { concurrency: 1 } }));
    await h.runner.start();
    const t = tracked();
    await feed([h.runner], events('e', 5), t.fin);
    await waitFor(() => h.driver.delivered.length === 4, 'two full batches');
    assert.deepEqual(t.statuses, [], 'the fifth event is still buffered');
    await h.runner.drain(10_000);
    assert.deepEqual(h.driver.batchSizes(), [2, 2, 1]);
    assert.deepEqual(t.statuses, ['delivered']);
    await h.cleanup();
  });

  test('several accepts combined into one batch each get released once', async () => {
    const h = harness(sinkConfig({ batch: { max_events: 6, timeout_secs: 600 } }));
    await h.runner.start();
    const a = tracked();
    const b = tracked();
    await feed([h.runner], events('a', 3), a.fin);
    await feed([h.runner], events('b', 3), b.fin);
    await waitFor(() => a.statuses.length === 1 && b.statuses.length === 1, 'both released');
    assert.deepEqual(h.driver.batchSizes(), [6]);
    assert.deepEqual([a.statuses, b.statuses], [['delivered'], ['delivered']]);
    await h.cleanup();
  });

  test('an empty accept releases at once', async () => {
    const h = harness(sinkConfig());
    const t = tracked();
    await feed([h.runner], [], t.fin);
    assert.deepEqual(t.statuses, ['delivered']);
    await h.cleanup();
  });
});

describe('SinkRunner buffer policies', () => {
  test('when_full: block keeps accept pending until delivery frees room', async () => {
    const g = gate();
    const driver = new FakeDriver(async () => {
      await g.promise;
      return { kind: 'ok' };
    });
    const h = harness(sinkConfig({ buffer: { max_events: 4, when_full: 'block' }, batch: { max_events: 2, timeout_secs: 600 }, request: { concurrency: 1 } }), driver);
    await h.runner.start();
    await feed([h.runner], events('a', 4)); // fills the buffer exactly
    await waitFor(() => driver.sends.length === 1, 'first batch in flight');
    let resolved = false;
    const pending = feed([h.runner], events('b', 2)).then(() => (resolved = true));
    await tick();
    await tick();
    assert.equal(resolved, false, 'accept waits while the buffer holds 4 of 4 events');
    assert.equal(h.runner.health().bufferEvents, 4);
    g.open();
    await pending;
    await h.runner.drain(10_000);
    assert.deepEqual(driver.delivered, ['a0', 'a1', 'a2', 'a3', 'b0', 'b1']);
    await h.cleanup();
  });

  test('when_full: drop_newest drops exactly what does not fit and counts it', async () => {
    const g = gate();
    const driver = new FakeDriver(async () => {
      await g.promise;
      return { kind: 'ok' };
    });
    const h = harness(sinkConfig({ buffer: { max_events: 5, when_full: 'drop_newest' }, batch: { max_events: 100, timeout_secs: 600 } }), driver);
    await h.runner.start();
    const first = tracked();
    const second = tracked();
    const third = tracked();
    await feed([h.runner], events('a', 3), first.fin);
    await feed([h.runner], events('b', 4), second.fin); // 2 fit, 2 dropped
    await feed([h.runner], events('c', 1), third.fin); // dropped
    assert.deepEqual(h.ctx.metrics.counts.discarded, { buffer_full: 3 });
    assert.deepEqual(third.statuses, ['dropped']);
    assert.deepEqual(second.statuses, [], 'its admitted part is not delivered yet');
    g.open();
    await h.runner.drain(10_000);
    assert.deepEqual(driver.delivered, ['a0', 'a1', 'a2', 'b0', 'b1']);
    assert.deepEqual(first.statuses, ['delivered']);
    assert.deepEqual(second.statuses, ['dropped']);
    assert.equal(h.ctx.metrics.counts.received, 8);
    await h.cleanup();
  });
});

describe('SinkRunner drain', () => {
  test('flushes the partial batch at once and closes the driver', async () => {
    const h = harness(sinkConfig({ batch: { max_events: 1000, timeout_secs: 600 } }));
    await h.runner.start();
    const t = tracked();
    await feed([h.runner], events('e', 3), t.fin);
    await h.runner.drain(30_000);
    assert.deepEqual(h.driver.batchSizes(), [3]);
    assert.deepEqual(t.statuses, ['delivered']);
    assert.equal(h.driver.closed, true);
    assert.equal(h.runner.describe().state, 'stopped');
    await assert.rejects(h.runner.accept(events('late', 1)), (err: unknown) => err instanceof EdgetailError && err.code === 'SHUTDOWN');
    await h.cleanup();
  });

  test('delivers what was accepted even when start() was never called', async () => {
    const h = harness(sinkConfig({ batch: { max_events: 1000, timeout_secs: 600 } }));
    await feed([h.runner], events('e', 2));
    await h.runner.drain(30_000);
    assert.deepEqual(h.driver.delivered, ['e0', 'e1']);
    assert.equal(h.ctx.metrics.counts.bufferEvents, 0);
    await h.cleanup();
  });

  test('at the deadline aborts in-flight requests without releasing their finalizers', async () => {
    const driver = new FakeDriver((_p, _a, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'ok' }))));
    const h = harness(sinkConfig({ batch: { max_events: 2, timeout_secs: 600 }, request: { timeout_secs: 600 } }), driver);
    await h.runner.start();
    const t = tracked();
    await feed([h.runner], events('e', 2), t.fin);
    await waitFor(() => driver.sends.length === 1, 'send started');
    await h.runner.drain(50);
    assert.equal(driver.signals[0]!.aborted, true);
    assert.deepEqual(t.statuses, [], 'never released: the source re-reads after restart');
    assert.equal(t.fin.pending, 1);
    assert.equal(h.ctx.metrics.counts.sent, 0);
    await h.cleanup();
  });

  test('at the deadline gives up on a driver that ignores its signal, still without releasing', async () => {
    const driver = new FakeDriver(() => new Promise(() => {}));
    const h = harness(sinkConfig({ batch: { max_events: 1, timeout_secs: 600 }, request: { timeout_secs: 600 } }), driver);
    await h.runner.start();
    const t = tracked();
    await feed([h.runner], events('e', 1), t.fin);
    await waitFor(() => driver.sends.length === 1, 'send started');
    await h.runner.drain(20);
    assert.deepEqual(t.statuses, []);
    await h.cleanup();
  });

  test('rejects accepts still waiting for room at the deadline, without releasing them', async () => {
    const driver = new FakeDriver(() => new Promise(() => {}));
    const h = harness(sinkConfig({ buffer: { max_events: 1 }, batch: { max_events: 1, timeout_secs: 600 } }), driver);
    await h.runner.start();
    await feed([h.runner], events('a', 1));
    const t = tracked();
    const waiting = feed([h.runner], events('b', 1), t.fin);
    await waitFor(() => driver.sends.length === 1, 'send started');
    await h.runner.drain(20);
    await assert.rejects(waiting, (err: unknown) => err instanceof EdgetailError && err.code === 'SHUTDOWN');
    assert.deepEqual(t.statuses, []);
    await h.cleanup();
  });
});

describe('SinkRunner health', () => {
  test('a failing healthcheck is not fatal and makes the sink unhealthy until a request succeeds', async () => {
    const driver = new FakeDriver();
    driver.healthError = new Error('connection refused');
    const h = harness(sinkConfig({ healthcheck: { enabled: true }, batch: { max_events: 1 } }), driver);
    await h.runner.start();
    assert.equal(h.runner.health().healthy, false);
    assert.match(h.runner.health().reason!, /healthcheck failed: connection refused/);
    assert.equal(h.ctx.metrics.counts.errors['healthcheck_failed/healthcheck'], 1);
    await feed([h.runner], events('e', 1));
    await waitFor(() => h.runner.health().healthy, 'healthy after a delivery');
    await h.cleanup();
  });

  test('the healthcheck is skipped when disabled', async () => {
    const driver = new FakeDriver();
    driver.healthError = new Error('down');
    const h = harness(sinkConfig({ healthcheck: { enabled: false } }), driver);
    await h.runner.start();
    assert.equal(h.runner.health().healthy, true);
    await h.cleanup();
  });

  test('unhealthy while requests keep failing, healthy again on success', async () => {
    let failing = true;
    const driver = new FakeDriver(() => (failing ? { kind: 'retryable', reason: 'HTTP 503' } : { kind: 'ok' }));
    const h = harness(sinkConfig({ batch: { max_events: 1 }, request: { retry_initial_backoff_secs: 0.005, retry_max_backoff_secs: 0.01 } }), driver);
    await h.runner.start();
    await feed([h.runner], events('e', 1));
    await waitFor(() => !h.runner.health().healthy, 'unhealthy');
    assert.match(h.runner.health().reason!, /HTTP 503/);
    assert.equal((h.runner.describe().last_error as { reason: string }).reason, 'HTTP 503');
    failing = false;
    await waitFor(() => h.runner.health().healthy, 'healthy again');
    assert.deepEqual(driver.delivered, ['e0']);
    await h.cleanup();
  });

  test('describe() reports state, buffer, concurrency and counters', async () => {
    const h = harness(sinkConfig({ buffer: { max_events: 50 }, request: { concurrency: 3 }, batch: { max_events: 10, timeout_secs: 600 } }));
    await h.runner.start();
    await feed([h.runner], events('e', 5, 7));
    const d = h.runner.describe() as Record<string, Record<string, unknown>>;
    assert.equal(d.state as unknown, 'running');
    assert.deepEqual(d.buffer, { type: 'memory', events: 5, bytes: 35, fill: 0.1, max_events: 50, max_bytes: undefined, when_full: 'block' });
    assert.deepEqual(d.concurrency, { mode: 'fixed', limit: 3, inflight: 0 });
    assert.equal(d.counters!.received, 5);
    assert.deepEqual(h.runner.health(), { healthy: true, bufferEvents: 5, bufferBytes: 35, bufferFill: 0.1 });
    await h.cleanup();
  });
});

test('every contract metric of the sink exists from construction, at zero', async () => {
  const telemetry = new Telemetry(false);
  const metrics = telemetry.component('out', 'fake');
  const runner = new SinkRunner({ id: 'out', type: 'fake', config: sinkConfig(), driver: new FakeDriver(), ctx: { id: 'out', type: 'fake', dataDir: '/nonexistent', logger: silentLogger(), metrics } });
  const text = await telemetry.registry.metrics();
  const labels = 'component_id="out",component_type="fake"';
  for (const series of [
    `edgetail_component_received_events_total{${labels}} 0`,
    `edgetail_component_sent_events_total{${labels}} 0`,
    `edgetail_buffer_events{${labels}} 0`,
    `edgetail_buffer_bytes{${labels}} 0`,
    `edgetail_sink_inflight_requests{${labels}} 0`,
    `edgetail_sink_concurrency_limit{${labels}} 1`,
    `edgetail_sink_request_duration_seconds_count{${labels},outcome="ok"} 0`,
  ]) {
    assert.ok(text.includes(series), series);
  }
  await runner.drain(0);
});
