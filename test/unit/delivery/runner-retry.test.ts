import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLogEvent } from '../../../src/core/event.js';
import { realTiming } from '../../../src/delivery/retry.js';
import type { SendResult } from '../../../src/delivery/types.js';
import { FakeDriver, aborted, events, feed, harness, sinkConfig, tracked } from './fakes.js';
import { waitFor } from '../../helpers/context.js';

const fastRetry = { retry_initial_backoff_secs: 0.01, retry_max_backoff_secs: 0.02 };

/** Records the delays the runner asks for and sleeps only 1 ms instead. */
function recordingSleep(): { delays: number[]; timing: { sleep: typeof realTiming.sleep } } {
  const delays: number[] = [];
  return { delays, timing: { sleep: (ms, signal) => (delays.push(ms), realTiming.sleep(1, signal)) } };
}

function readDeadLetters(dataDir: string, sink: string): Array<Record<string, unknown>> {
  const dir = join(dataDir, 'dead_letter', sink);
  const files = readdirSync(dir);
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^\d{4}-\d{2}-\d{2}\.ndjson$/);
  const text = readFileSync(join(dir, files[0]!), 'utf8');
  assert.ok(text.endsWith('\n'));
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('SinkRunner retries', () => {
  test('retries retryable results, re-sending the same payload without re-encoding', async () => {
    const driver = new FakeDriver((_p, attempt) => (attempt < 2 ? { kind: 'retryable', reason: 'HTTP 503' } : { kind: 'ok' }));
    const h = harness(sinkConfig({ batch: { max_events: 3 }, request: fastRetry }), driver);
    await h.runner.start();
    const t = tracked();
    await feed([h.runner], events('e', 3), t.fin);
    await waitFor(() => t.statuses.length === 1, 'delivery');
    assert.equal(driver.sends.length, 3);
    assert.equal(driver.encodes, 1);
    assert.ok(driver.sends[0] === driver.sends[1] && driver.sends[1] === driver.sends[2], 'the same payload object each time');
    assert.equal(h.ctx.metrics.counts.retries, 2);
    assert.deepEqual(t.statuses, ['delivered']);
    assert.deepEqual(driver.delivered, ['e0', 'e1', 'e2']);
    await h.cleanup();
  });

  test('thrown errors are retried', async () => {
    const driver = new FakeDriver((_p, attempt) => {
      if (attempt === 0) throw new Error('ECONNRESET');
      return { kind: 'ok' };
    });
    const h = harness(sinkConfig({ batch: { max_events: 1 }, request: fastRetry }), driver);
    await h.runner.start();
    await feed([h.runner], events('e', 1));
    await waitFor(() => driver.delivered.length === 1, 'delivery');
    assert.equal(driver.sends.length, 2);
    await h.cleanup();
  });

  test('a request past timeout_secs is aborted and retried', async () => {
    const driver = new FakeDriver(async (_p, attempt, signal) => {
      if (attempt === 0) {
        await aborted(signal);
        throw new Error('aborted by the runner');
      }
      return { kind: 'ok' };
    });
    const h = harness(sinkConfig({ batch: { max_events: 1 }, request: { timeout_secs: 0.05, ...fastRetry } }), driver);
    await h.runner.start();
    await feed([h.runner], events('e', 1));
    await waitFor(() => driver.delivered.length === 1, 'delivery');
    assert.equal(driver.sends.length, 2);
    assert.equal(driver.signals[0]!.aborted, true);
    assert.equal((h.runner.describe().last_error as { reason: string }).reason, 'timeout');
    await h.cleanup();
  });

  test('backoff is exponential with full jitter, capped at retry_max_backoff_secs', async () => {
    const s = recordingSleep();
    const driver = new FakeDriver((_p, attempt) => (attempt < 4 ? { kind: 'retryable', reason: 'HTTP 500' } : { kind: 'ok' }));
    const h = harness(sinkConfig({ batch: { max_events: 1 }, request: { retry_initial_backoff_secs: 0.01, retry_max_backoff_secs: 0.025 } }), driver, {
      timing: { ...s.timing, random: () => 0.5 },
    });
    await h.runner.start();
    await feed([h.runner], events('e', 1));
    await waitFor(() => driver.delivered.length === 1, 'delivery');
    // ceilings 10, 20, 40→25, 80→25 ms; half of each.
    assert.deepEqual(s.delays, [5, 10, 12.5, 12.5]);
    await h.cleanup();
  });

  test('honours Retry-After (afterMs) instead of the backoff, capped at 10 minutes', async () => {
    const s = recordingSleep();
    const answers: SendResult[] = [
      { kind: 'retryable', reason: 'HTTP 429', afterMs: 1234 },
      { kind: 'retryable', reason: 'HTTP 503', afterMs: 3_600_000 },
      { kind: 'ok' },
    ];
    const driver = new FakeDriver((_p, attempt) => answers[attempt]!);
    const h = harness(sinkConfig({ batch: { max_events: 1 }, request: fastRetry }), driver, { timing: s.timing });
    await h.runner.start();
    await feed([h.runner], events('e', 1));
    await waitFor(() => driver.delivered.length === 1, 'delivery');
    assert.deepEqual(s.delays, [1234, 600_000]);
    await h.cleanup();
  });

  test('with the real clock, the retry after a Retry-After comes no earlier than afterMs', async () => {
    const times: number[] = [];
    const driver = new FakeDriver((_p, attempt) => {
      times.push(performance.now());
      return attempt === 0 ? { kind: 'retryable', reason: 'HTTP 429', afterMs: 80 } : { kind: 'ok' };
    });
    const h = harness(sinkConfig({ batch: { max_events: 1 }, request: fastRetry }), driver);
    await h.runner.start();
    await feed([h.runner], events('e', 1));
    await waitFor(() => driver.delivered.length === 1, 'delivery');
    // setTimeout may fire up to ~1 ms early relative to performance.now(); lower bound only.
    assert.ok(times[1]! - times[0]! >= 78, `second attempt after ${times[1]! - times[0]!} ms`);
    await h.cleanup();
  });

  test('retry_max_duration_secs bounds retries: the batch goes to the dead letter', async () => {
    const driver = new FakeDriver(() => ({ kind: 'retryable', reason: 'HTTP 503' }));
    const h = harness(sinkConfig({ batch: { max_events: 2 }, request: { retry_max_duration_secs: 0.05, ...fastRetry } }), driver, {}, 'splunk');
    await h.runner.start();
    const t = tracked();
    const ev = makeLogEvent('edge', 'edge:0', 1714564800000, { status: 503, path: '/a' }, 'raw line', 40);
    const ev2 = makeLogEvent('edge', 'edge:1', 1714564801000, { status: 200 }, undefined, 40);
    await feed([h.runner], [ev, ev2], t.fin);
    await waitFor(() => t.statuses.length === 1, 'dead letter');
    assert.deepEqual(t.statuses, ['errored']);
    assert.ok(driver.sends.length >= 2, 'retried before giving up');
    const lines = readDeadLetters(h.dataDir, 'splunk');
    assert.equal(lines.length, 2);
    assert.deepEqual(
      lines.map((l) => ({ ...l, time: typeof l.time })),
      [
        { sink: 'splunk', reason: 'retries exhausted: HTTP 503', time: 'string', event: { timestamp: '2024-05-01T12:00:00.000Z', status: 503, path: '/a', event_id: 'edge:0' } },
        { sink: 'splunk', reason: 'retries exhausted: HTTP 503', time: 'string', event: { timestamp: '2024-05-01T12:00:01.000Z', status: 200, event_id: 'edge:1' } },
      ],
    );
    assert.ok(!Number.isNaN(Date.parse(lines[0]!.time as string)));
    assert.deepEqual(h.ctx.metrics.counts.discarded, { dead_letter: 2 });
    assert.equal(h.ctx.metrics.counts.errors['request_failed/sending'], 1);
    assert.equal(h.ctx.metrics.counts.sent, 0);
    await h.cleanup();
  });
});

describe('SinkRunner dead letters', () => {
  test('a permanent result dead-letters the batch and releases its finalizer as errored', async () => {
    const driver = new FakeDriver(() => ({ kind: 'permanent', reason: 'HTTP 400: invalid event' }));
    const h = harness(sinkConfig({ batch: { max_events: 3 } }), driver, {}, 'dd');
    await h.runner.start();
    const t = tracked();
    await feed([h.runner], events('e', 3), t.fin);
    await waitFor(() => t.statuses.length === 1, 'dead letter');
    assert.deepEqual(t.statuses, ['errored']);
    assert.equal(driver.sends.length, 1, 'never retried');
    const lines = readDeadLetters(h.dataDir, 'dd');
    assert.deepEqual(lines.map((l) => [l.sink, l.reason, (l.event as Record<string, unknown>).event_id, (l.event as Record<string, unknown>).n]), [
      ['dd', 'HTTP 400: invalid event', 'e0', 0],
      ['dd', 'HTTP 400: invalid event', 'e1', 1],
      ['dd', 'HTTP 400: invalid event', 'e2', 2],
    ]);
    assert.deepEqual(h.ctx.metrics.counts.discarded, { dead_letter: 3 });
    assert.equal(h.ctx.metrics.counts.errors['request_failed/sending'], 1);
    assert.equal(h.runner.health().bufferEvents, 0, 'room freed');
    await h.cleanup();
  });

  test('an encoder that throws dead-letters the batch with the error message', async () => {
    const driver = new FakeDriver();
    driver.encodeError = new Error('field too large for the protocol');
    const h = harness(sinkConfig({ batch: { max_events: 2 } }), driver, {}, 'enc');
    await h.runner.start();
    const t = tracked();
    await feed([h.runner], events('e', 2), t.fin);
    await waitFor(() => t.statuses.length === 1, 'dead letter');
    assert.deepEqual(t.statuses, ['errored']);
    assert.equal(driver.sends.length, 0);
    const lines = readDeadLetters(h.dataDir, 'enc');
    assert.deepEqual(lines.map((l) => l.reason), ['field too large for the protocol', 'field too large for the protocol']);
    assert.equal(h.ctx.metrics.counts.errors['encode_failed/encoding'], 1);
    assert.deepEqual(h.ctx.metrics.counts.discarded, { dead_letter: 2 });
    await h.cleanup();
  });
});
