/**
 * The runner with a streaming driver (send → `accepted`, outcome later through `settled`): the
 * finalizer waits for the outcome, a retryable outcome re-sends the batch, flush() is called when
 * draining and when accepted batches fill the buffer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '../../../src/core/event.js';
import { SinkRunner } from '../../../src/delivery/runner.js';
import type { AcceptedResult, SendResult, StreamingSinkDriver } from '../../../src/delivery/types.js';
import { tempDir, testContext, waitFor } from '../../helpers/context.js';
import { events, sinkConfig, tracked } from './fakes.js';

/** Holds accepted batches in one "open object" until flush() settles them with `next`. */
class OpenObjectDriver implements StreamingSinkDriver<string[]> {
  readonly serial = true;
  flushes = 0;
  sends: string[][] = [];
  next: SendResult[] = [];
  private open: Array<(r: SendResult) => void> = [];

  encode(evs: Event[]): string[] {
    return evs.map((e) => e.id);
  }
  async send(payload: string[]): Promise<AcceptedResult> {
    this.sends.push(payload);
    return { kind: 'accepted', settled: new Promise<SendResult>((r) => this.open.push(r)) };
  }
  flush(): void {
    this.flushes += 1;
    const r = this.next.shift() ?? { kind: 'ok' };
    for (const settle of this.open.splice(0)) settle(r);
  }
}

function setup(driver: OpenObjectDriver, over: Record<string, unknown> = {}) {
  const dir = tempDir();
  const ctx = testContext('s', 'fake', dir.path);
  const config = sinkConfig({ batch: { max_events: 2, timeout_secs: 0.01 }, request: { retry_initial_backoff_secs: 0.01, retry_max_backoff_secs: 0.01 }, ...over });
  const runner = new SinkRunner({ id: 's', type: 'fake', config, driver, ctx });
  return { runner, ctx, cleanup: () => dir.cleanup() };
}

test('accepted batches are released only when their object settles ok (on drain)', async () => {
  const d = new OpenObjectDriver();
  const { runner, ctx, cleanup } = setup(d);
  try {
    await runner.start();
    const t = tracked();
    await runner.accept(events('a', 4), t.fin);
    await waitFor(() => d.sends.length === 2, 'both batches sent');
    assert.deepEqual(t.statuses, [], 'nothing released while the object is open');
    assert.equal(d.flushes, 0);
    await runner.drain(5000);
    assert.equal(d.flushes, 1);
    assert.deepEqual(t.statuses, ['delivered']);
    assert.equal(ctx.metrics.counts.sent, 4);
  } finally {
    cleanup();
  }
});

test('a retryable settle sends the batch again into the next object', async () => {
  const d = new OpenObjectDriver();
  d.next = [{ kind: 'retryable', reason: 'object aborted' }, { kind: 'ok' }];
  const { runner, ctx, cleanup } = setup(d, { batch: { max_events: 10, timeout_secs: 0.01 } });
  try {
    await runner.start();
    const t = tracked();
    await runner.accept(events('b', 3), t.fin);
    await waitFor(() => d.sends.length === 1, 'first send');
    d.flush(); // the object fails
    await waitFor(() => d.sends.length === 2, 'the batch was sent again');
    assert.deepEqual(d.sends[1], ['b0', 'b1', 'b2']);
    assert.deepEqual(t.statuses, []);
    await runner.drain(5000);
    assert.deepEqual(t.statuses, ['delivered']);
    assert.equal(ctx.metrics.counts.retries, 1);
  } finally {
    cleanup();
  }
});

test('a permanent settle dead-letters the batch', async () => {
  const d = new OpenObjectDriver();
  d.next = [{ kind: 'permanent', reason: 'AccessDenied' }];
  const { runner, ctx, cleanup } = setup(d);
  try {
    await runner.start();
    const t = tracked();
    await runner.accept(events('c', 2), t.fin);
    await runner.drain(5000);
    assert.deepEqual(t.statuses, ['errored']);
    assert.equal(ctx.metrics.counts.discarded.dead_letter, 2);
  } finally {
    cleanup();
  }
});

test('accepted batches that fill the buffer make the runner flush (no deadlock)', async () => {
  const d = new OpenObjectDriver();
  const { runner, cleanup } = setup(d, { buffer: { max_events: 4 }, batch: { max_events: 2, timeout_secs: 60 } });
  try {
    await runner.start();
    const all = Array.from({ length: 5 }, () => tracked());
    // Room for 4 events: the third push waits until the open object's batches are released, which
    // happens only if the runner flushes (batch.timeout_secs 60 would never close it otherwise).
    for (let i = 0; i < 5; i++) await runner.accept(events(`d${i}-`, 2), all[i]!.fin);
    assert.ok(d.flushes >= 1, 'the full buffer forced a flush');
    await runner.drain(5000);
    assert.equal(d.sends.flat().length, 10);
    assert.deepEqual(all.map((t) => t.statuses), Array.from({ length: 5 }, () => ['delivered']));
  } finally {
    cleanup();
  }
});
