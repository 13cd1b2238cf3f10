import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finalizer } from '../../../src/core/finalizer.js';
import type { BatchStatus } from '../../../src/core/finalizer.js';
import { FakeDriver, events, feed, harness, sinkConfig, tracked } from './fakes.js';
import { waitFor } from '../../helpers/context.js';

function counts(ids: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

test('a failing sink never stalls or duplicates a healthy one fed the same batches', async () => {
  let failing = true;
  const healthyDriver = new FakeDriver();
  const failingDriver = new FakeDriver(() => (failing ? { kind: 'retryable', reason: 'HTTP 503' } : { kind: 'ok' }));
  const config = sinkConfig({ batch: { max_events: 4, timeout_secs: 0.02 }, request: { concurrency: 2, retry_initial_backoff_secs: 0.005, retry_max_backoff_secs: 0.02 } });
  const healthy = harness(config, healthyDriver, {}, 'healthy');
  const broken = harness(config, failingDriver, {}, 'broken');
  await healthy.runner.start();
  await broken.runner.start();

  const fins: Array<{ fin: Finalizer; statuses: BatchStatus[] }> = [];
  const all: string[] = [];
  for (let b = 0; b < 10; b++) {
    const evs = events(`b${b}-`, 5);
    all.push(...evs.map((e) => e.id));
    const t = tracked();
    fins.push(t);
    await feed([healthy.runner, broken.runner], evs, t.fin);
  }

  // The healthy sink delivers everything while the other one keeps failing.
  await waitFor(() => healthyDriver.delivered.length === 50, 'the healthy sink to deliver all 50 events');
  assert.ok(failingDriver.sends.length > 0 && failingDriver.delivered.length === 0, 'the broken sink is retrying, not delivering');
  assert.ok(fins.every((f) => f.statuses.length === 0), 'no batch is acknowledged while one sink still holds it');
  await waitFor(() => !broken.runner.health().healthy, 'the broken sink to report unhealthy');
  assert.equal(healthy.runner.health().healthy, true);

  failing = false;
  await waitFor(() => failingDriver.delivered.length === 50, 'the recovered sink to deliver all 50 events');
  await waitFor(() => fins.every((f) => f.statuses.length === 1), 'every batch acknowledged');

  const h = counts(healthyDriver.delivered);
  const f = counts(failingDriver.delivered);
  assert.deepEqual([...h.keys()].sort(), [...all].sort());
  assert.deepEqual([...f.keys()].sort(), [...all].sort());
  assert.ok([...h.values()].every((n) => n === 1), 'healthy sink: each event exactly once');
  assert.ok([...f.values()].every((n) => n === 1), 'recovered sink: each event exactly once');
  assert.ok(fins.every((x) => x.statuses[0] === 'delivered'));
  assert.equal(healthyDriver.sends.length, healthyDriver.encodes, 'the healthy sink never re-sent anything');
  assert.equal(healthy.ctx.metrics.counts.retries, 0);

  await healthy.cleanup();
  await broken.cleanup();
});
