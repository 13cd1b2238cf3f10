/**
 * aws_s3 under injected faults: a pass-through proxy in front of the real S3 server answers some
 * requests itself (503 SlowDown with Retry-After, a failed multipart part) and forwards the rest
 * unchanged (same Host header, so SigV4 signatures still verify upstream).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { makeLogEvent, type Event } from '../../src/core/event.js';
import { Finalizer, type BatchStatus } from '../../src/core/finalizer.js';
import { SinkRunner } from '../../src/delivery/runner.js';
import type { StreamingSinkDriver } from '../../src/delivery/types.js';
import { awsS3SinkSchema, type AwsS3SinkConfig } from '../../sinks/aws_s3/config.js';
import { awsS3Sink } from '../../sinks/aws_s3/index.js';
import type { S3Payload } from '../../sinks/aws_s3/sink.js';
import { tempDir, testContext, waitFor } from '../helpers/context.js';
import { allLines, getObject, listObjects, newBucket, sendAndSettle, slowDown, startProxy, startS3, type FaultProxy, type S3Service } from './s3-support.js';

function ev(i: number, line: string): Event {
  return makeLogEvent('edge', `edge:${i}`, Date.UTC(2024, 4, 1, 12, 0, 0), { i }, line, line.length);
}

describe('aws_s3 under injected faults', { timeout: 25 * 60_000 }, () => {
  let s3: S3Service;
  let proxy: FaultProxy;
  const drivers: StreamingSinkDriver[] = [];
  const cfg = (bucket: string, endpoint: string, extra: Record<string, unknown> = {}): AwsS3SinkConfig =>
    awsS3SinkSchema.parse({
      type: 'aws_s3',
      inputs: ['edge'],
      bucket,
      endpoint,
      region: s3.region,
      force_path_style: true,
      auth: { access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey },
      ...extra,
    });

  before(async () => {
    s3 = await startS3();
    proxy = await startProxy(s3.endpoint);
  });
  after(async () => {
    for (const d of drivers) await d.close?.();
    await proxy?.close();
    s3?.client.destroy();
  });

  test('503 SlowDown with Retry-After: retried after the advertised delay, every line once', async () => {
    const bucket = await newBucket(s3, 'slowdown');
    const dir = tempDir();
    try {
      let puts = 0;
      proxy.seen.length = 0;
      proxy.rule = (req) => (req.method === 'PUT' && ++puts <= 2 ? slowDown('1') : undefined);
      const c = cfg(bucket, proxy.url, { encoding: { codec: 'raw' }, batch: { timeout_secs: 0.1 }, timeout_secs: 0.2, request: { retry_initial_backoff_secs: 0.01, retry_max_backoff_secs: 0.02 } });
      const ctx = testContext('archive', 'aws_s3', dir.path);
      const drv = await awsS3Sink.build(c, ctx);
      drivers.push(drv);
      const runner = new SinkRunner({ id: 'archive', type: 'aws_s3', config: c, batchDefaults: awsS3Sink.batchDefaults, driver: drv, ctx });
      await runner.start();
      const statuses: BatchStatus[] = [];
      const lines = Array.from({ length: 500 }, (_, i) => `line ${i}`);
      await runner.accept(lines.map((l, i) => ev(i, l)), new Finalizer((s) => statuses.push(s)));
      await waitFor(() => statuses.length === 1, 'the batch settled', 60_000);
      await runner.drain(10_000);
      assert.deepEqual(statuses, ['delivered']);
      assert.equal(ctx.metrics.counts.retries, 2);
      const put = proxy.seen.filter((s) => s.method === 'PUT');
      assert.deepEqual(put.map((s) => s.faulted), [true, true, false]);
      // The backoff alone would be ≤ 20 ms: the gaps show Retry-After: 1 was honoured.
      assert.ok(put[1]!.at - put[0]!.at >= 900, `gap ${put[1]!.at - put[0]!.at} ms`);
      assert.ok(put[2]!.at - put[1]!.at >= 900, `gap ${put[2]!.at - put[1]!.at} ms`);
      const got = await allLines(s3, bucket);
      assert.equal(got.keys.length, 1);
      assert.deepEqual(got.lines, lines);
    } finally {
      proxy.rule = () => undefined;
      dir.cleanup();
    }
  });

  test('a failed multipart part fails the upload retryably; the retry completes the whole object', async () => {
    const bucket = await newBucket(s3, 'partfail');
    const d = (await awsS3Sink.build(cfg(bucket, proxy.url, { compression: 'none', encoding: { codec: 'raw' } }), testContext('archive', 'aws_s3'))) as StreamingSinkDriver<S3Payload>;
    drivers.push(d);
    const lines = Array.from({ length: 8 * 1024 }, () => randomBytes(768).toString('base64'));
    const payload = await d.encode(lines.map((l, i) => ev(i, l)));
    let parts = 0;
    proxy.rule = (req) => (req.method === 'PUT' && /[?&]partNumber=/.test(req.url!) && ++parts === 2 ? slowDown('0') : undefined);
    try {
      const first = await sendAndSettle(d, payload, AbortSignal.timeout(120_000));
      assert.equal(first.kind, 'retryable');
      assert.match((first as { reason: string }).reason, /SlowDown \(HTTP 503\)/);
      assert.equal((await listObjects(s3, bucket)).length, 0, 'no object from the failed upload');
      // The failed multipart upload was aborted, not left behind holding parts.
      const mp = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      assert.equal(mp.Uploads?.length ?? 0, 0);
      assert.deepEqual(await sendAndSettle(d, payload, AbortSignal.timeout(120_000)), { kind: 'ok' });
    } finally {
      proxy.rule = () => undefined;
    }
    const objs = await listObjects(s3, bucket);
    assert.equal(objs.length, 1);
    assert.equal((await getObject(s3, bucket, objs[0]!.Key!)).body.toString('utf8'), lines.join('\n') + '\n');
  });

  test('a server that cannot be reached is a retryable network error', async () => {
    const closed = await startProxy(s3.endpoint);
    const url = closed.url;
    await closed.close();
    const d = (await awsS3Sink.build(cfg('edgetail-unreachable', url), testContext('archive', 'aws_s3'))) as StreamingSinkDriver<S3Payload>;
    drivers.push(d);
    const r = await sendAndSettle(d, await d.encode([ev(0, 'x')]), AbortSignal.timeout(60_000));
    assert.equal(r.kind, 'retryable');
    assert.match((r as { reason: string }).reason, /ECONNREFUSED/);
  });
});
