/**
 * `edgetail run` file → aws_s3 with an object that stays open (timeout_secs 300, max_bytes 64 MiB):
 * kill -9 while the multipart upload is in progress → nothing was acknowledged, so after a restart
 * the file is read again and every line arrives at least once; SIGTERM completes the open object
 * within the shutdown deadline (one object, all lines).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { allLines, listObjects, newBucket, startS3 } from './s3-support.js';

const LINES = 12_000;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** The file source's read offset of the one file, from /api/topology. */
async function readOffset(port: number): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/api/topology`);
  const t = (await r.json()) as { sources: Array<{ files?: Array<{ read_offset: number }> }> };
  return t.sources[0]?.files?.[0]?.read_offset ?? -1;
}

test('aws_s3 open object: kill -9 mid-upload, restart → every line at least once; SIGTERM completes the object', { timeout: 10 * 60_000 }, async () => {
  const s3 = await startS3();
  const dir = tempDir();
  const procs: Running[] = [];
  try {
    const bucket = await newBucket(s3, 'kill9');
    // ≈12 MiB of incompressible raw lines: two full parts go out while the object is open.
    const input = Array.from({ length: LINES }, (_, i) => `${i} ${randomBytes(768).toString('base64')}`);
    const logFile = join(dir.path, 'edge.log');
    writeFileSync(logFile, input.join('\n') + '\n');
    const fileSize = Buffer.byteLength(input.join('\n') + '\n');
    const port = await freePort();
    const config = join(dir.path, 'edgetail.yaml');
    writeFileSync(
      config,
      [
        `data_dir: ${join(dir.path, 'data')}`,
        `api: { address: "127.0.0.1:${port}" }`,
        'shutdown_timeout_secs: 60',
        'sources:',
        `  edge: { type: file, include: [${logFile}], format: raw }`,
        'sinks:',
        '  archive:',
        '    type: aws_s3',
        '    inputs: [edge]',
        `    bucket: ${bucket}`,
        `    endpoint: ${s3.endpoint}`,
        '    force_path_style: true',
        '    key_prefix: "k9/"',
        '    compression: none',
        '    encoding: { codec: raw }',
        '    max_bytes: 67108864',
        '    timeout_secs: 300',
        '    buffer: { max_events: 100000 }',
      ].join('\n'),
    );
    const env = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region, AWS_CONFIG_FILE: join(dir.path, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir.path, 'none') };

    const first = startEdgetail(['run', '--config', config], env);
    procs.push(first);
    await waitFor(async () => {
      if (first.child.exitCode !== null) throw new Error(`edgetail exited early:\n${first.stderr().slice(-4000)}`);
      const mp = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      return (mp.Uploads?.length ?? 0) > 0;
    }, 'a multipart upload in progress', 120_000, 100);
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal((await listObjects(s3, bucket)).length, 0, 'no object was completed before the kill');

    const second = startEdgetail(['run', '--config', config], env);
    procs.push(second);
    // The restarted instance re-reads the whole file (nothing was acknowledged) into a new open
    // object, which only the shutdown completes (timeout_secs is 300).
    await waitFor(async () => {
      if (second.child.exitCode !== null) throw new Error(`edgetail exited early:\n${second.stderr().slice(-4000)}`);
      return (await readOffset(port).catch(() => -1)) === fileSize;
    }, 'the restarted instance read the whole file', 120_000, 100);
    assert.equal((await listObjects(s3, bucket)).length, 0, 'still open: no object yet');
    second.child.kill('SIGTERM');
    const { code } = await second.exited;
    assert.equal(code, 0, second.stderr().slice(-4000));

    const { keys, lines } = await allLines(s3, bucket);
    assert.equal(keys.length, 1, 'the shutdown completed the one open object');
    assert.deepEqual(lines, input, 'in file order, each line once');
    const got = new Set(lines);
    const missing = input.filter((l) => !got.has(l));
    assert.equal(missing.length, 0, `${missing.length} lines missing`);
  } finally {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    s3.client.destroy();
    dir.cleanup();
  }
});
