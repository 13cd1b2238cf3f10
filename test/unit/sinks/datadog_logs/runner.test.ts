/** The datadog_logs sink under the real delivery runner: faults, retries, dead letters. */
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLogEvent, type Event } from '../../../../src/core/event.js';
import { Finalizer } from '../../../../src/core/finalizer.js';
import { SinkRunner } from '../../../../src/delivery/runner.js';
import { deadLetterDir } from '../../../../src/delivery/dead-letter.js';
import { datadogLogsSink } from '../../../../sinks/datadog_logs/index.js';
import { startDatadogReceiver, type DatadogReceiver } from '../../../helpers/datadog-receiver.js';
import { tempDir, testContext, waitFor } from '../../../helpers/context.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

function chunk(from: number, n: number): Event[] {
  const out: Event[] = [];
  for (let i = from; i < from + n; i++) out.push(makeLogEvent('edge', `e:${i}`, T0 + i, { pop: 'IAD', node: `cache-${i % 3}`, i }, `l${i}`, 40));
  return out;
}

describe('datadog_logs under the delivery runner', () => {
  let rx: DatadogReceiver;
  const cleanups: Array<() => Promise<void> | void> = [];
  before(async () => { rx = await startDatadogReceiver(); });
  beforeEach(() => { rx.reset(); rx.clearFault(); });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await rx.close();
  });

  async function runner(extra: Record<string, unknown> = {}) {
    const dir = tempDir();
    const ctx = testContext('dd', 'datadog_logs', dir.path);
    const config = datadogLogsSink.schema.parse({
      type: 'datadog_logs', inputs: ['edge'], endpoint: rx.url, api_key: rx.apiKey,
      request: { retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.2, concurrency: 2 },
      batch: { timeout_secs: 0.05 }, ...extra,
    });
    const driver = await datadogLogsSink.build(config, ctx);
    const r = new SinkRunner({ id: 'dd', type: 'datadog_logs', config, batchDefaults: datadogLogsSink.batchDefaults!, driver, ctx });
    await r.start();
    cleanups.push(async () => { await r.drain(5_000); await driver.close?.(); dir.cleanup(); });
    return { r, ctx, dir: dir.path };
  }

  async function feed(r: SinkRunner, total: number): Promise<{ acked: () => number }> {
    let acked = 0;
    for (let i = 0; i < total; i += 1000) {
      const f = new Finalizer((s) => { if (s === 'delivered') acked += Math.min(1000, total - i); });
      await r.accept(chunk(i, Math.min(1000, total - i)), f);
    }
    return { acked: () => acked };
  }

  test('20,000 events through a 503 storm with Retry-After: every event arrives, finalizers released', async () => {
    const { r } = await runner();
    rx.setFault({ status: 503, retryAfterSecs: 0, forMs: 400 });
    const f = await feed(r, 20_000);
    await waitFor(() => f.acked() === 20_000, 'all batches acknowledged', 60_000);
    const seen = new Set(rx.logs.map((e) => JSON.parse(e.message as string).i as number));
    assert.equal(seen.size, 20_000);
    assert.ok(rx.requests.every((q) => q.entries <= 1000));
    assert.ok(rx.requests.some((q) => q.status === 503), 'the fault was hit');
    assert.ok(rx.logs.every((e) => typeof e.hostname === 'string' && (e.hostname as string).startsWith('cache-')));
  });

  test('bad key: batches go to the dead letter with a reason without the key; the runner keeps going', async () => {
    const key = 'definitely-wrong-key-42';
    const { r, dir } = await runner({ api_key: key });
    const f = await feed(r, 1500);
    const dl = deadLetterDir(dir, 'dd');
    const read = () => (existsSync(dl) ? readdirSync(dl).map((n) => readFileSync(join(dl, n), 'utf8')).join('') : '');
    await waitFor(() => read().split('\n').filter(Boolean).length >= 1500, 'dead letters', 30_000);
    const text = read();
    assert.match(text, /HTTP 403/);
    assert.ok(!text.includes(key));
    assert.equal(rx.logs.length, 0);
    assert.equal(f.acked(), 0);
  });
});
