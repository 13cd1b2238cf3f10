/**
 * The aws_s3 sink against a real S3-compatible server (versitygw, scripts/services.sh start s3):
 * objects read back with the SDK equal the input, keys follow the prefix, large objects go multipart,
 * and authentication / bucket errors are permanent with a reason that never holds a secret.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLogEvent, type Event } from '../../src/core/event.js';
import { Finalizer, type BatchStatus } from '../../src/core/finalizer.js';
import { SinkRunner } from '../../src/delivery/runner.js';
import type { StreamingSinkDriver } from '../../src/delivery/types.js';
import { awsS3SinkSchema, type AwsS3SinkConfig } from '../../sinks/aws_s3/config.js';
import { awsS3Sink } from '../../sinks/aws_s3/index.js';
import type { S3Payload } from '../../sinks/aws_s3/sink.js';
import { tempDir, testContext, waitFor } from '../helpers/context.js';
import { allLines, getObject, listObjects, newBucket, sendAndSettle, startS3, type S3Service } from './s3-support.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// 2024-05-01T23:59:00Z: 50,000 events 2 ms apart cross midnight at event 30,000.
const T0 = Date.UTC(2024, 4, 1, 23, 59, 0);

function edgeEvent(i: number): Event {
  const line = `203.0.113.${i % 250} - - "GET /release/v1.28.0/bin/linux/amd64/kubectl?n=${i} HTTP/1.1" 200 ${49864192 + i}`;
  return makeLogEvent('edge', `edge:a.log:${i}`, T0 + i * 2, { client_ip: `203.0.113.${i % 250}`, status: 200, n: i }, line, line.length);
}

describe('aws_s3 sink against a real S3 server', { timeout: 25 * 60_000 }, () => {
  let s3: S3Service;
  const drivers: StreamingSinkDriver[] = [];
  const cfg = (bucket: string, extra: Record<string, unknown> = {}): AwsS3SinkConfig =>
    awsS3SinkSchema.parse({
      type: 'aws_s3',
      inputs: ['edge'],
      bucket,
      endpoint: s3.endpoint,
      region: s3.region,
      force_path_style: true,
      auth: { access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey },
      ...extra,
    });
  const build = async (c: AwsS3SinkConfig): Promise<StreamingSinkDriver<S3Payload>> => {
    const d = (await awsS3Sink.build(c, testContext('archive', 'aws_s3'))) as StreamingSinkDriver<S3Payload>;
    drivers.push(d);
    return d;
  };

  before(async () => {
    s3 = await startS3();
  });
  after(async () => {
    for (const d of drivers) await d.close?.();
    s3?.client.destroy();
  });

  test('50,000 events through the runner: every line arrives once, keys follow the prefix', async () => {
    const bucket = await newBucket(s3, 'runner');
    const dir = tempDir();
    try {
      const c = cfg(bucket, { key_prefix: 'cdn/date=%F/', encoding: { codec: 'raw' }, batch: { max_events: 12_000, timeout_secs: 0.5 }, buffer: { max_events: 100_000 }, timeout_secs: 1 });
      const ctx = testContext('archive', 'aws_s3', dir.path);
      const drv = await awsS3Sink.build(c, ctx);
      drivers.push(drv);
      const runner = new SinkRunner({ id: 'archive', type: 'aws_s3', config: c, batchDefaults: awsS3Sink.batchDefaults, driver: drv, ctx });
      await runner.start();
      const statuses: BatchStatus[] = [];
      const expected: string[] = [];
      for (let b = 0; b < 50; b++) {
        const evs: Event[] = [];
        for (let i = b * 1000; i < (b + 1) * 1000; i++) {
          const ev = edgeEvent(i);
          evs.push(ev);
          expected.push(ev.type === 'log' ? ev.raw! : '');
        }
        await runner.accept(evs, new Finalizer((s) => statuses.push(s)));
      }
      await waitFor(() => statuses.length === 50, 'every finalizer released', 120_000);
      await runner.drain(30_000);
      assert.deepEqual(new Set(statuses), new Set(['delivered']));
      assert.equal(ctx.metrics.counts.sent, 50_000);

      const { keys, lines } = await allLines(s3, bucket);
      const keyRe = new RegExp(`^cdn/date=2024-05-0[12]/\\d{10}-${UUID}\\.log\\.gz$`);
      for (const k of keys) assert.match(k, keyRe);
      // Events before midnight are under the first day's prefix, the rest under the next one.
      const day1 = (await allLines(s3, bucket, 'cdn/date=2024-05-01/')).lines.sort();
      const day2 = (await allLines(s3, bucket, 'cdn/date=2024-05-02/')).lines.sort();
      assert.deepEqual(day1, expected.slice(0, 30_000).sort());
      assert.deepEqual(day2, expected.slice(30_000).sort());
      assert.equal(lines.length, 50_000);
      assert.deepEqual([...lines].sort(), [...expected].sort());
      const first = await getObject(s3, bucket, keys[0]!);
      assert.equal(first.contentEncoding, 'gzip');
      assert.equal(first.contentType, 'text/plain; charset=utf-8');
    } finally {
      dir.cleanup();
    }
  });

  test('ndjson objects hold the wire JSON of each event', async () => {
    const bucket = await newBucket(s3, 'ndjson');
    const d = await build(cfg(bucket, { key_prefix: '' }));
    const evs = [edgeEvent(0), edgeEvent(1)];
    assert.deepEqual(await sendAndSettle(d, await d.encode(evs), AbortSignal.timeout(60_000)), { kind: 'ok' });
    const { keys, lines } = await allLines(s3, bucket);
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, new RegExp(`^\\d{10}-${UUID}\\.log\\.gz$`));
    assert.deepEqual(lines.map((l) => JSON.parse(l)), [
      { timestamp: '2024-05-01T23:59:00.000Z', client_ip: '203.0.113.0', status: 200, n: 0, event_id: 'edge:a.log:0' },
      { timestamp: '2024-05-01T23:59:00.002Z', client_ip: '203.0.113.1', status: 200, n: 1, event_id: 'edge:a.log:1' },
    ]);
    assert.equal((await getObject(s3, bucket, keys[0]!)).contentType, 'application/x-ndjson');
  });

  test('an object over 5 MiB is uploaded in parts and round trips byte for byte', async () => {
    const bucket = await newBucket(s3, 'multipart');
    const d = await build(cfg(bucket, { compression: 'none', encoding: { codec: 'raw' }, key_prefix: 'big/' }));
    // ≈12 MiB of incompressible lines (base64 of random bytes): three 5 MiB parts.
    const evs: Event[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 12 * 1024; i++) {
      const line = randomBytes(768).toString('base64');
      expected.push(line);
      evs.push(makeLogEvent('edge', `big:${i}`, T0, {}, line, line.length));
    }
    const payload = await d.encode(evs);
    assert.equal(payload.groups.length, 1);
    assert.ok(payload.bytes > 12 * 1024 * 1024, `payload ${payload.bytes} bytes`);
    assert.deepEqual(await sendAndSettle(d, payload, AbortSignal.timeout(120_000)), { kind: 'ok' });
    const objs = await listObjects(s3, bucket);
    assert.equal(objs.length, 1);
    assert.match(objs[0]!.Key!, new RegExp(`^big/\\d{10}-${UUID}\\.log$`));
    const o = await getObject(s3, bucket, objs[0]!.Key!);
    assert.equal(o.contentEncoding, undefined);
    assert.match(o.etag ?? '', /-3"?$/, 'a three-part multipart ETag');
    assert.equal(o.body.toString('utf8'), expected.join('\n') + '\n');
    // A retry of the same payload does not upload the finished object again.
    assert.deepEqual(await sendAndSettle(d, payload, AbortSignal.timeout(60_000)), { kind: 'ok' });
    assert.equal((await listObjects(s3, bucket)).length, 1);
  });

  test('batches stream into one open object: > 5 MiB in parts, nothing settles before completion', async () => {
    const bucket = await newBucket(s3, 'stream');
    const d = await build(cfg(bucket, { compression: 'none', encoding: { codec: 'raw' }, key_prefix: 'stream/' }));
    // 14 batches of ≈1 MiB of incompressible lines: parts of 5 + 5 MiB while open, the rest at completion.
    const expected: string[] = [];
    const settled: Promise<unknown>[] = [];
    let settledCount = 0;
    for (let b = 0; b < 14; b++) {
      const evs: Event[] = [];
      for (let i = 0; i < 1024; i++) {
        const line = `${b}:${i}:` + randomBytes(768).toString('base64');
        expected.push(line);
        evs.push(makeLogEvent('edge', `s:${b}:${i}`, T0, {}, line, line.length));
      }
      const r = await d.send(await d.encode(evs), AbortSignal.timeout(60_000));
      assert.equal(r.kind, 'accepted');
      settled.push((r as { settled: Promise<unknown> }).settled.then((x) => (settledCount++, x)));
    }
    const open = (d as unknown as { openObjects(): Array<{ parts: number; buffered: number }> }).openObjects();
    assert.equal(open.length, 1, 'one open object');
    assert.equal(open[0]!.parts, 2, 'two full parts uploaded while open');
    assert.ok(open[0]!.buffered < 5 * 1024 * 1024, `at most one part held (${open[0]!.buffered} bytes)`);
    await new Promise((r) => setImmediate(r));
    assert.equal(settledCount, 0, 'no batch settles while its object is open');
    assert.equal((await listObjects(s3, bucket)).length, 0, 'the object is not visible before completion');
    d.flush();
    assert.deepEqual(await Promise.all(settled), Array.from({ length: 14 }, () => ({ kind: 'ok' })));
    const objs = await listObjects(s3, bucket);
    assert.equal(objs.length, 1);
    assert.match(objs[0]!.Key!, new RegExp(`^stream/\\d{10}-${UUID}\\.log$`));
    const o = await getObject(s3, bucket, objs[0]!.Key!);
    assert.match(o.etag ?? '', /-3"?$/, 'a three-part multipart ETag');
    assert.equal(o.body.toString('utf8'), expected.join('\n') + '\n');
  });

  test('a gzip object of many batches is one valid gzip stream (concatenated members)', async () => {
    const bucket = await newBucket(s3, 'gzmembers');
    const d = await build(cfg(bucket, { encoding: { codec: 'raw' }, key_prefix: '' }));
    const expected: string[] = [];
    const settled: Promise<unknown>[] = [];
    for (let b = 0; b < 5; b++) {
      const evs = Array.from({ length: 100 }, (_, i) => {
        const line = `batch ${b} line ${i}`;
        expected.push(line);
        return makeLogEvent('edge', `g:${b}:${i}`, T0, {}, line, line.length);
      });
      const r = await d.send(await d.encode(evs), AbortSignal.timeout(60_000));
      settled.push((r as { settled: Promise<unknown> }).settled);
    }
    d.flush();
    await Promise.all(settled);
    const { keys, lines } = await allLines(s3, bucket);
    assert.equal(keys.length, 1);
    assert.deepEqual(lines, expected);
  });

  test('a wrong secret is a permanent error whose reason names the problem, not the secret', async () => {
    const bucket = await newBucket(s3, 'badcreds');
    const wrongSecret = 'this-is-the-wrong-secret-key-987654321';
    const c = cfg(bucket, { auth: { access_key_id: s3.accessKeyId, secret_access_key: wrongSecret } });
    const d = await build(c);
    const r = await sendAndSettle(d, await d.encode([edgeEvent(0)]), AbortSignal.timeout(60_000));
    assert.equal(r.kind, 'permanent');
    assert.match((r as { reason: string }).reason, /SignatureDoesNotMatch \(HTTP 403\)/);
    assert.ok(!JSON.stringify(r).includes(wrongSecret));
    await assert.rejects(d.healthcheck!(AbortSignal.timeout(60_000)), (err: Error) => {
      assert.match(err.message, /^healthcheck failed: S3 HeadBucket/);
      assert.ok(!err.message.includes(wrongSecret));
      return true;
    });
    assert.equal((await listObjects(s3, bucket)).length, 0);
  });

  test('through the runner, bad credentials dead-letter the batch with the reason', async () => {
    const bucket = await newBucket(s3, 'deadletter');
    const dir = tempDir();
    try {
      const wrongSecret = 'another-wrong-secret-key-0000000000';
      const c = cfg(bucket, { auth: { access_key_id: s3.accessKeyId, secret_access_key: wrongSecret }, batch: { timeout_secs: 0.1 }, timeout_secs: 0.2, healthcheck: { enabled: false } });
      const ctx = testContext('archive', 'aws_s3', dir.path);
      const drv = await awsS3Sink.build(c, ctx);
      drivers.push(drv);
      const runner = new SinkRunner({ id: 'archive', type: 'aws_s3', config: c, batchDefaults: awsS3Sink.batchDefaults, driver: drv, ctx });
      await runner.start();
      const statuses: BatchStatus[] = [];
      await runner.accept([edgeEvent(0), edgeEvent(1)], new Finalizer((s) => statuses.push(s)));
      await waitFor(() => statuses.length === 1, 'the batch settled', 60_000);
      await runner.drain(10_000);
      assert.deepEqual(statuses, ['errored']);
      assert.equal(ctx.metrics.counts.discarded.dead_letter, 2);
      const dlDir = join(dir.path, 'dead_letter', 'archive');
      const text = readdirSync(dlDir).map((f) => readFileSync(join(dlDir, f), 'utf8')).join('');
      assert.match(text, /SignatureDoesNotMatch/);
      assert.ok(!text.includes(wrongSecret));
    } finally {
      dir.cleanup();
    }
  });

  test('a bucket that does not exist is a permanent NoSuchBucket; the healthcheck fails', async () => {
    const d = await build(cfg('edgetail-no-such-bucket-4242'));
    const r = await sendAndSettle(d, await d.encode([edgeEvent(0)]), AbortSignal.timeout(60_000));
    assert.equal(r.kind, 'permanent');
    assert.match((r as { reason: string }).reason, /NoSuchBucket \(HTTP 404\)/);
    await assert.rejects(d.healthcheck!(AbortSignal.timeout(60_000)), /healthcheck failed: S3 HeadBucket edgetail-no-such-bucket-4242 failed: .*404/);
  });

  test('the healthcheck passes for an existing bucket', async () => {
    const bucket = await newBucket(s3, 'health');
    const d = await build(cfg(bucket));
    await d.healthcheck!(AbortSignal.timeout(60_000));
  });
});
