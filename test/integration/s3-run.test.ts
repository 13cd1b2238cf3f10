/**
 * `edgetail run` with a file source and the aws_s3 sink, against the real S3 server through a
 * fault proxy: 200,000 lines end up in the bucket exactly once, under the key prefix rendered from
 * each line's own timestamp; under 503 SlowDown (Retry-After) a further file arrives at least once;
 * a wrong secret dead-letters the batches with the reason while the process keeps running.
 * Credentials come from the standard AWS environment variables (no `auth` in the config). The
 * runner-level Retry-After timing is checked in s3-faults.test.ts (here objects complete on their
 * own timers, so request gaps do not isolate one batch's retry).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deadLetterText, waitDeadLettered } from '../helpers/dead-letters.js';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { allLines, getObject, newBucket, slowDown, startProxy, startS3 } from './s3-support.js';
import { alive, edgeLine, writeEdgeLines } from './sink-run-support.js';

const HEALTHY = 200_000;
const FAULTED = 20_000;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

test('edgetail run: file → aws_s3, exactly once healthy, at least once under SlowDown, bad secret → dead letter', { timeout: 10 * 60_000 }, async () => {
  const s3 = await startS3();
  const proxy = await startProxy(s3.endpoint);
  const dir = tempDir();
  const procs: Running[] = [];
  const config = (name: string, bucket: string, inDir: string): string => {
    const path = join(dir.path, `${name}.yaml`);
    writeFileSync(
      path,
      [
        `data_dir: ${join(dir.path, `data-${name}`)}`,
        'api: { enabled: false }',
        'sources:',
        `  edge: { type: file, include: [${join(inDir, '*.log')}], format: fastly_json, glob_interval_ms: 200 }`,
        'sinks:',
        '  archive:',
        '    type: aws_s3',
        '    inputs: [edge]',
        `    bucket: ${bucket}`,
        `    endpoint: ${proxy.url}`,
        '    force_path_style: true',
        '    key_prefix: "edge/date=%F/hour=%H/"',
        '    encoding: { codec: raw }',
        '    timeout_secs: 1',
        '    buffer: { max_events: 100000 }',
        '    request: { retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.2 }',
      ].join('\n'),
    );
    return path;
  };
  const env = (secret: string) => ({
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: secret,
    AWS_REGION: s3.region,
    AWS_CONFIG_FILE: join(dir.path, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir.path, 'no-aws-credentials'),
  });
  try {
    const bucket = await newBucket(s3, 'run');
    const inDir = join(dir.path, 'in');
    mkdirSync(inDir);
    writeEdgeLines(join(inDir, 'a.log'), 0, HEALTHY);
    const run = startEdgetail(['run', '--config', config('good', bucket, inDir)], env(s3.secretAccessKey));
    procs.push(run);
    await waitFor(async () => (alive(run), (await allLines(s3, bucket)).lines.length >= HEALTHY), 'all lines in the bucket', 180_000, 500);
    const healthy = await allLines(s3, bucket);
    assert.equal(healthy.lines.length, HEALTHY, 'no line twice');
    const expected = Array.from({ length: HEALTHY }, (_, i) => edgeLine(i));
    assert.deepEqual([...healthy.lines].sort(), [...expected].sort());
    const keyRe = new RegExp(`^edge/date=2024-05-02/hour=10/\\d{10}-${UUID}\\.log\\.gz$`);
    for (const k of healthy.keys) assert.match(k, keyRe);
    const o = await getObject(s3, bucket, healthy.keys[0]!);
    assert.equal(o.contentEncoding, 'gzip');
    assert.equal(o.contentType, 'text/plain; charset=utf-8');

    // SlowDown with Retry-After on the first writes of the next file: every line at least once.
    let faulted = 0;
    proxy.rule = (req) => ((req.method === 'PUT' || req.method === 'POST') && faulted++ < 4 ? slowDown('1') : undefined);
    writeEdgeLines(join(inDir, 'b.log'), HEALTHY, FAULTED);
    await waitFor(async () => (alive(run), new Set((await allLines(s3, bucket)).lines).size >= HEALTHY + FAULTED), 'the faulted file in the bucket', 180_000, 500);
    assert.equal(faulted >= 4, true, 'the faults were hit');
    const got = new Set((await allLines(s3, bucket)).lines);
    for (let i = HEALTHY; i < HEALTHY + FAULTED; i++) assert.ok(got.has(edgeLine(i)), `line ${i} missing`);
    proxy.rule = () => undefined;
    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0, run.stderr().slice(-4000));

    // A wrong secret: SignatureDoesNotMatch (403) is permanent; dead letters, the process lives on.
    const badBucket = await newBucket(s3, 'badsecret');
    const badDir = join(dir.path, 'in-bad');
    mkdirSync(badDir);
    writeEdgeLines(join(badDir, 'c.log'), 0, 2000);
    const wrong = 'wrong-secret-key-for-the-s3-run-test';
    const bad = startEdgetail(['run', '--config', config('bad', badBucket, badDir)], env(wrong));
    procs.push(bad);
    const dlDir = join(dir.path, 'data-bad', 'dead_letter', 'archive');
    const dead = () => deadLetterText(dlDir);
    const records = await waitDeadLettered(dlDir, 2000, () => alive(bad));
    assert.equal(new Set(records.map((r) => r.event.request_id)).size, 2000);
    assert.match(records[0]!.reason, /SignatureDoesNotMatch \(HTTP 403\)/);
    assert.ok(!dead().includes(wrong), 'the secret is never written');
    alive(bad);
    bad.child.kill('SIGTERM');
    assert.equal((await bad.exited).code, 0, bad.stderr().slice(-4000));
  } finally {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await proxy.close();
    s3.client.destroy();
    dir.cleanup();
  }
});
