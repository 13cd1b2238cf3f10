import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { keepKey, sample } from '../../../src/transforms/sample.js';
import type { LogEvent } from '../../../src/core/event.js';
import { build, log, metric, problems, run } from './events.js';

const ipOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

describe('sample', () => {
  test('without key_field: exactly every rate-th event, counting across batches', async () => {
    const { transform, ctx } = await build(sample, { rate: 10 });
    const events = Array.from({ length: 10_000 }, (_, i) => log({ n: i }));
    const kept: number[] = [];
    for (let b = 0; b < 10_000; b += 999) {
      for (const e of run(transform, events.slice(b, b + 999))) kept.push((e as LogEvent).fields.n as number);
    }
    assert.equal(kept.length, 1000);
    assert.deepEqual(kept.slice(0, 4), [0, 10, 20, 30]);
    assert.equal(kept[999], 9990);
    assert.deepEqual(ctx.metrics.counts.discarded, { sampled: 9000 });
  });

  test('rate 10 over 10,000 distinct keys keeps between 800 and 1200', async () => {
    const { transform } = await build(sample, { rate: 10, key_field: 'client_ip' });
    const out = run(transform, Array.from({ length: 10_000 }, (_, i) => log({ client_ip: ipOf(i) })));
    assert.ok(out.length >= 800 && out.length <= 1200, `kept ${out.length}`);
  });

  test('the same key always gets the same decision, across batches and transform instances', async () => {
    const a = (await build(sample, { rate: 10, key_field: 'client_ip' })).transform;
    const b = (await build(sample, { rate: 10, key_field: 'client_ip' })).transform;
    // 1000 keys, each appearing 10 times, interleaved.
    const events = Array.from({ length: 10_000 }, (_, i) => log({ client_ip: ipOf(i % 1000) }));
    const keptA = new Map<string, number>();
    for (let i = 0; i < events.length; i += 500) {
      for (const e of run(a, events.slice(i, i + 500))) {
        const k = (e as LogEvent).fields.client_ip as string;
        keptA.set(k, (keptA.get(k) ?? 0) + 1);
      }
    }
    for (const n of keptA.values()) assert.equal(n, 10, 'a kept key is kept every time');
    assert.ok(keptA.size >= 50 && keptA.size <= 150, `kept keys ${keptA.size}`);
    const keptB = new Set(run(b, events.slice(0, 1000)).map((e) => (e as LogEvent).fields.client_ip));
    assert.deepEqual([...keptB].sort(), [...keptA.keys()].sort());
    for (const k of keptA.keys()) assert.equal(keepKey(k, 10), true);
  });

  test('numeric keys hash their decimal text', async () => {
    const { transform } = await build(sample, { rate: 7, key_field: 'asn' });
    const out = run(transform, [log({ asn: 15169 }), log({ asn: 16509 })]);
    const expected = [15169, 16509].filter((n) => keepKey(String(n), 7));
    assert.deepEqual(out.map((e) => (e as LogEvent).fields.asn), expected);
  });

  test('events without the key fall back to the counter', async () => {
    const { transform } = await build(sample, { rate: 3, key_field: 'client_ip' });
    const out = run(transform, Array.from({ length: 9 }, (_, i) => log({ n: i })));
    assert.deepEqual(out.map((e) => (e as LogEvent).fields.n), [0, 3, 6]);
  });

  test('exclude: matching events are never sampled out and do not advance the counter', async () => {
    const { transform } = await build(sample, { rate: 100, exclude: 'status >= 500' });
    const events = Array.from({ length: 300 }, (_, i) => log({ n: i, status: i % 50 === 7 ? 503 : 200 }));
    const out = run(transform, events).map((e) => (e as LogEvent).fields.n as number);
    const errors = events.filter((e) => e.fields.status === 503).map((e) => e.fields.n as number);
    assert.equal(errors.length, 6);
    for (const n of errors) assert.ok(out.includes(n), `error event ${n} kept`);
    // 294 non-error events: counter positions 0, 100, 200 are kept → events n=0, and the 101st and
    // 201st non-error events.
    const plain = events.filter((e) => e.fields.status === 200).map((e) => e.fields.n as number);
    assert.deepEqual(out.filter((n) => !errors.includes(n)), [plain[0], plain[100], plain[200]]);
  });

  test('sample_rate_key annotates kept events; without it nothing is added and the transform does not mutate', async () => {
    const plain = await build(sample, { rate: 2 });
    assert.equal(plain.transform.mutates, false);
    const e1 = log({ a: 1 });
    run(plain.transform, [e1]);
    assert.deepEqual(e1.fields, { a: 1 });

    const annotated = await build(sample, { rate: 2, sample_rate_key: 'sample_rate' });
    assert.equal(annotated.transform.mutates, true);
    const out = run(annotated.transform, [log({ a: 1 }), log({ a: 2 }), log({ a: 3 })]);
    assert.deepEqual(out.map((e) => (e as LogEvent).fields), [{ a: 1, sample_rate: 2 }, { a: 3, sample_rate: 2 }]);
  });

  test('metric events pass through untouched', async () => {
    const { transform } = await build(sample, { rate: 1000 });
    const m = [metric('a', 1), metric('b', 2), metric('c', 3)];
    assert.deepEqual(run(transform, m), m);
  });

  test('rate 1 keeps everything', async () => {
    const { transform } = await build(sample, { rate: 1, key_field: 'k' });
    assert.equal(run(transform, Array.from({ length: 50 }, (_, i) => log({ k: `k${i}` }))).length, 50);
  });

  test('schema: positive integer rate, valid exclude condition', () => {
    assert.match(problems(sample, { rate: 0 })[0]!, /^rate: expected a positive integer/);
    assert.match(problems(sample, { rate: 2.5 })[0]!, /^rate: expected a positive integer/);
    assert.match(problems(sample, { rate: 2, exclude: 'status >>' })[0]!, /^exclude: /);
    assert.deepEqual(problems(sample, { rate: 2, exclude: 'status >= 500', key_field: 'client_ip' }), []);
  });
});
