import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { makeLogEvent, type LogEvent } from '../../../src/core/event.js';
import { EdgetailError } from '../../../src/core/errors.js';
import { Finalizer, type BatchStatus } from '../../../src/core/finalizer.js';
import { MemoryBuffer } from '../../../src/buffer/memory.js';
import { DEFAULT_MEMORY_BUFFER_EVENTS } from '../../../src/delivery/config.js';

function evs(prefix: string, n: number, size = 10): LogEvent[] {
  return Array.from({ length: n }, (_, i) => makeLogEvent('s', `${prefix}${i}`, 0, {}, undefined, size));
}

function fin(): { f: Finalizer; statuses: BatchStatus[] } {
  const statuses: BatchStatus[] = [];
  return { f: new Finalizer((s) => statuses.push(s)), statuses };
}

const ids = (c: { events: { id: string }[] } | null) => c?.events.map((e) => e.id);

describe('MemoryBuffer', () => {
  test('defaults to DEFAULT_MEMORY_BUFFER_EVENTS and block', () => {
    const b = new MemoryBuffer();
    assert.equal(b.maxEvents, DEFAULT_MEMORY_BUFFER_EVENTS);
    assert.equal(b.whenFull, 'block');
  });

  test('takes oldest first across pushes, within maxEvents and maxBytes', async () => {
    const b = new MemoryBuffer();
    await b.push(evs('a', 3, 10));
    await b.push(evs('b', 3, 10));
    assert.equal(b.queuedEvents, 6);
    assert.equal(b.queuedBytes, 60);
    assert.deepEqual(ids(b.take(4, 1000)), ['a0', 'a1', 'a2', 'b0']);
    assert.deepEqual(ids(b.take(100, 15)), ['b1']);
    assert.deepEqual(ids(b.take(100, 1000)), ['b2']);
    assert.equal(b.take(100, 1000), null);
    assert.equal(b.events, 6, 'taken events count until acked');
    assert.equal(b.queuedEvents, 0);
  });

  test('a single event larger than maxBytes is still taken alone', async () => {
    const b = new MemoryBuffer();
    await b.push([...evs('big', 1, 500), ...evs('s', 2, 10)]);
    const c = b.take(10, 100)!;
    assert.deepEqual(ids(c), ['big0']);
    assert.equal(c.bytes, 500);
    assert.deepEqual(ids(b.take(10, 100)), ['s0', 's1']);
  });

  test('a whole pushed batch is handed out without copying', async () => {
    const b = new MemoryBuffer();
    const batch = evs('a', 3);
    await b.push(batch);
    assert.equal(b.take(10, 1000)!.events, batch);
  });

  test('a batch split over chunks releases its finalizer once, after the last chunk, with the worst status', async () => {
    const b = new MemoryBuffer();
    const t = fin();
    await b.push(evs('a', 5), t.f);
    const c1 = b.take(2, 1000)!;
    const c2 = b.take(2, 1000)!;
    const c3 = b.take(2, 1000)!;
    assert.deepEqual([ids(c1), ids(c2), ids(c3)], [['a0', 'a1'], ['a2', 'a3'], ['a4']]);
    b.ack(c2, 'delivered');
    b.ack(c3, 'errored');
    assert.deepEqual(t.statuses, []);
    b.ack(c1, 'delivered');
    assert.deepEqual(t.statuses, ['errored']);
    assert.equal(b.events, 0);
    assert.equal(b.bytes, 0);
  });

  test('acking a chunk twice is an error', async () => {
    const b = new MemoryBuffer();
    await b.push(evs('a', 1));
    const c = b.take(1, 100)!;
    b.ack(c);
    assert.throws(() => b.ack(c));
  });

  test('block: a push waits until acks make room, FIFO among waiting pushes', async () => {
    const b = new MemoryBuffer({ max_events: 4 });
    await b.push(evs('a', 3));
    const order: string[] = [];
    const p1 = b.push(evs('b', 2)).then(() => order.push('b'));
    const p2 = b.push(evs('c', 1)).then(() => order.push('c')); // would fit now, but must not overtake b
    await tick();
    assert.deepEqual(order, []);
    assert.equal(b.waitingPushes, 2);
    b.ack(b.take(2, 1000)!); // 1 held: b (2) fits, then c (1) fits
    await Promise.all([p1, p2]);
    assert.deepEqual(order, ['b', 'c']);
    assert.deepEqual(ids(b.take(10, 1000)), ['a2', 'b0', 'b1', 'c0']);
  });

  test('block: a push larger than the whole capacity gets in once the buffer is empty', async () => {
    const b = new MemoryBuffer({ max_events: 4, max_bytes: 100 });
    await b.push(evs('a', 1));
    let done = false;
    const p = b.push(evs('big', 10)).then(() => (done = true));
    await tick();
    assert.equal(done, false);
    b.ack(b.take(10, 1000)!);
    await p;
    assert.equal(b.events, 10);
    assert.equal(b.fill, 2.5);
  });

  test('block: max_bytes bounds too', async () => {
    const b = new MemoryBuffer({ max_events: 100, max_bytes: 50 });
    await b.push(evs('a', 4, 10));
    let done = false;
    const p = b.push(evs('b', 2, 10)).then(() => (done = true));
    await tick();
    assert.equal(done, false);
    assert.equal(b.fill, 0.8);
    b.ack(b.take(1, 1000)!);
    await p;
    assert.equal(b.bytes, 50);
  });

  test('drop_newest: admits the prefix that fits, drops the rest and releases its share as dropped', async () => {
    const b = new MemoryBuffer({ max_events: 5, when_full: 'drop_newest' });
    const t1 = fin();
    const t2 = fin();
    const t3 = fin();
    assert.equal(await b.push(evs('a', 3), t1.f), 0);
    assert.equal(await b.push(evs('b', 4), t2.f), 2);
    assert.equal(await b.push(evs('c', 2), t3.f), 2);
    assert.deepEqual(t3.statuses, ['dropped']);
    assert.deepEqual(t2.statuses, []);
    const c = b.take(10, 1000)!;
    assert.deepEqual(ids(c), ['a0', 'a1', 'a2', 'b0', 'b1']);
    b.ack(c, 'delivered');
    assert.deepEqual([t1.statuses, t2.statuses], [['delivered'], ['dropped']]);
  });

  test('drop_newest: by bytes, and at least one event into an empty buffer', async () => {
    const b = new MemoryBuffer({ max_events: 100, max_bytes: 25, when_full: 'drop_newest' });
    assert.equal(await b.push(evs('a', 3, 10)), 1);
    b.ack(b.take(10, 1000)!);
    assert.equal(await b.push(evs('huge', 2, 1000)), 1);
    assert.equal(b.events, 1);
  });

  test('close rejects waiting pushes with SHUTDOWN and leaves their finalizers alone', async () => {
    const b = new MemoryBuffer({ max_events: 1 });
    await b.push(evs('a', 1));
    const t = fin();
    const p = b.push(evs('b', 1), t.f);
    await b.close();
    await assert.rejects(p, (e: unknown) => e instanceof EdgetailError && e.code === 'SHUTDOWN');
    await assert.rejects(b.push(evs('c', 1)), (e: unknown) => e instanceof EdgetailError && e.code === 'SHUTDOWN');
    assert.equal(t.f.pending, 1);
  });

  test('oldestQueuedAt follows the oldest queued push', async () => {
    let now = 100;
    const b = new MemoryBuffer({ now: () => now });
    assert.equal(b.oldestQueuedAt, undefined);
    await b.push(evs('a', 2));
    now = 200;
    await b.push(evs('b', 1));
    assert.equal(b.oldestQueuedAt, 100);
    b.take(1, 1000);
    assert.equal(b.oldestQueuedAt, 100, 'the rest of the first push waited since 100');
    b.take(1, 1000);
    assert.equal(b.oldestQueuedAt, 200);
  });

  test('an empty push releases its finalizer at once', async () => {
    const b = new MemoryBuffer();
    const t = fin();
    await b.push([], t.f);
    assert.deepEqual(t.statuses, ['delivered']);
  });

  test('many small pushes and takes stay consistent (FIFO, counts, exactly-once release)', async () => {
    const b = new MemoryBuffer({ max_events: 1_000_000 });
    const fins: Array<{ f: Finalizer; statuses: BatchStatus[] }> = [];
    const out: string[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = fin();
      fins.push(t);
      const batch = evs(`p${i}-`, (i % 3) + 1);
      expected.push(...batch.map((e) => e.id));
      await b.push(batch, t.f);
      if (i % 2 === 1) {
        const c = b.take(4, 1000)!;
        out.push(...c.events.map((e) => e.id));
        b.ack(c);
      }
    }
    for (let c = b.take(7, 1000); c; c = b.take(7, 1000)) {
      out.push(...c.events.map((e) => e.id));
      b.ack(c);
    }
    assert.deepEqual(out, expected);
    assert.equal(b.events, 0);
    assert.ok(fins.every((t) => t.statuses.length === 1 && t.statuses[0] === 'delivered'));
  });
});
