import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveConcurrency, FixedConcurrency } from '../../../src/delivery/concurrency.js';
import type { SendResult } from '../../../src/delivery/types.js';
import { FakeDriver, events, feed, harness, sinkConfig } from './fakes.js';
import { waitFor } from '../../helpers/context.js';

/** A controller on a hand-driven clock. */
function controller(): { c: AdaptiveConcurrency; at: (t: number) => void } {
  let now = 0;
  const c = new AdaptiveConcurrency(() => now);
  return { c, at: (t) => (now = t) };
}

/** One saturated window of constant RTT `rtt` ending at `t`. */
function saturated(k: { c: AdaptiveConcurrency; at: (t: number) => void }, t: number, rtt: number): void {
  k.c.onStart(k.c.limit);
  k.at(t);
  k.c.onResponse(rtt, 'ok');
}

describe('AdaptiveConcurrency', () => {
  test('starts at 1 and adds one per round trip while the limit is reached and RTT is steady', () => {
    const k = controller();
    assert.equal(k.c.limit, 1);
    saturated(k, 10, 10); // first window initialises the 10 ms baseline
    assert.equal(k.c.limit, 2);
    k.c.onStart(2);
    k.at(15);
    k.c.onResponse(10, 'ok'); // only 5 ms into a 10 ms window: no decision yet
    assert.equal(k.c.limit, 2);
    k.at(20);
    k.c.onResponse(10, 'ok');
    assert.equal(k.c.limit, 3);
  });

  test('does not grow when the limit was not reached', () => {
    const k = controller();
    saturated(k, 10, 10);
    assert.equal(k.c.limit, 2);
    k.c.onStart(1);
    k.at(20);
    k.c.onResponse(10, 'ok');
    assert.equal(k.c.limit, 2);
  });

  test('a rising RTT takes one off (x0.9, at least -1)', () => {
    const k = controller();
    saturated(k, 10, 10);
    saturated(k, 20, 10);
    assert.equal(k.c.limit, 3);
    saturated(k, 30, 20); // 20 ms against a steady 10 ms baseline
    assert.equal(k.c.limit, 2);
  });

  test('retryable responses multiply by 0.9 (at least -1), never below 1', () => {
    const k = controller();
    let t = 0;
    for (let i = 0; i < 19; i++) saturated(k, (t += 10), 10);
    assert.equal(k.c.limit, 20);
    const backpressure = () => {
      k.c.onStart(k.c.limit);
      k.at((t += 10));
      k.c.onResponse(10, 'retryable');
    };
    backpressure();
    assert.equal(k.c.limit, 18);
    backpressure();
    assert.equal(k.c.limit, 16); // floor(16.2)
    backpressure();
    assert.equal(k.c.limit, 14); // floor(14.4)
    for (let i = 0; i < 30; i++) backpressure();
    assert.equal(k.c.limit, 1);
  });

  test('errors (timeouts, network) count as backpressure too', () => {
    const k = controller();
    saturated(k, 10, 10);
    saturated(k, 20, 10);
    assert.equal(k.c.limit, 3);
    k.at(30);
    k.c.onResponse(10, 'error');
    assert.equal(k.c.limit, 2);
  });

  test('is bounded at 64', () => {
    const k = controller();
    for (let i = 1; i <= 100; i++) saturated(k, i * 10, 10);
    assert.equal(k.c.limit, 64);
  });

  test('fixed concurrency never moves', () => {
    const f = new FixedConcurrency(4);
    f.onStart();
    f.onResponse();
    assert.equal(f.limit, 4);
    assert.equal(f.adaptive, false);
  });
});

describe('SinkRunner concurrency', () => {
  test('a fixed limit of N runs N requests at once', async () => {
    const driver = new FakeDriver(() => new Promise<SendResult>((r) => setTimeout(() => r({ kind: 'ok' }), 20)));
    const h = harness(sinkConfig({ batch: { max_events: 1 }, request: { concurrency: 3 } }), driver);
    await h.runner.start();
    await feed([h.runner], events('e', 12));
    await waitFor(() => driver.delivered.length === 12, 'delivery');
    assert.equal(driver.maxInflight, 3);
    await h.cleanup();
  });

  test('serial drivers get one request at a time whatever the config says', async () => {
    const driver = new FakeDriver(() => new Promise<SendResult>((r) => setTimeout(() => r({ kind: 'ok' }), 5)), true);
    const h = harness(sinkConfig({ batch: { max_events: 1 }, request: { concurrency: 8 } }), driver);
    await h.runner.start();
    await feed([h.runner], events('e', 6));
    await waitFor(() => driver.delivered.length === 6, 'delivery');
    assert.equal(driver.maxInflight, 1);
    assert.deepEqual(driver.delivered, ['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    await h.cleanup();
  });

  test('adaptive: grows under a fast driver, shrinks under retryable responses', async () => {
    let mode: 'ok' | 'busy' = 'ok';
    const driver = new FakeDriver(
      () =>
        new Promise<SendResult>((r) =>
          setTimeout(() => r(mode === 'ok' ? { kind: 'ok' } : { kind: 'retryable', reason: 'HTTP 429' }), 3),
        ),
    );
    const limits: number[] = [];
    const h = harness(sinkConfig({ batch: { max_events: 1 }, buffer: { max_events: 100_000 }, request: { retry_initial_backoff_secs: 0.005, retry_max_backoff_secs: 0.01 } }), driver);
    const record = h.ctx.metrics.concurrency;
    h.ctx.metrics.concurrency = (n) => {
      limits.push(n);
      record(n);
    };
    const limit = () => (h.runner.describe().concurrency as { limit: number }).limit;
    await h.runner.start();
    assert.equal(limit(), 1);
    await feed([h.runner], events('a', 2000));
    await waitFor(() => driver.maxInflight >= 4, 'concurrency to grow', 60_000, 5);
    const grown = limit();
    assert.ok(grown >= 2, `limit grew to ${grown}`);
    mode = 'busy';
    await waitFor(() => limit() < grown && limit() === 1, 'concurrency to fall back to 1', 60_000, 5);
    mode = 'ok';
    await h.runner.drain(60_000);
    assert.equal(new Set(driver.delivered).size, 2000, 'everything delivered once');
    assert.equal(driver.delivered.length, 2000);
    assert.ok(Math.max(...limits) >= 4, `reported limits peaked at ${Math.max(...limits)}`);
    await h.cleanup();
  });
});
