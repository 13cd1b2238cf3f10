/**
 * `edgetail run` with a file source and the aws_s3 sink, against the real S3 server: 50,000 lines
 * end up in the bucket exactly once, under the key prefix rendered from each line's own timestamp.
 * Credentials come from the standard AWS environment variables (no `auth` in the config).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { allLines, getObject, newBucket, startS3 } from './s3-support.js';

const LINES = 50_000;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

test('edgetail run: file → aws_s3, 50,000 lines read back equal the input', { timeout: 25 * 60_000 }, async () => {
  const s3 = await startS3();
  const dir = tempDir();
  let proc: Running | undefined;
  try {
    const bucket = await newBucket(s3, 'run');
    const input: string[] = [];
    for (let i = 0; i < LINES; i++) {
      // Seconds 0..49 after 2024-05-02T00:00:00Z, then the next day's first second never reached.
      const sec = String(Math.floor(i / 1000)).padStart(2, '0');
      input.push(`{"timestamp":"2024-05-02T00:00:${sec}Z","host":"cdn.dl.k8s.io","url":"/release/v1.28.0/bin/linux/amd64/kubectl?i=${i}","status":200,"pop":"FRA","request_id":"r${i}"}`);
    }
    const logFile = join(dir.path, 'edge.log');
    writeFileSync(logFile, input.join('\n') + '\n');
    const config = join(dir.path, 'edgetail.yaml');
    writeFileSync(
      config,
      [
        `data_dir: ${join(dir.path, 'data')}`,
        'api: { enabled: false }',
        'sources:',
        `  edge: { type: file, include: [${logFile}], format: fastly_json, glob_interval_ms: 200 }`,
        'sinks:',
        '  archive:',
        '    type: aws_s3',
        '    inputs: [edge]',
        `    bucket: ${bucket}`,
        `    endpoint: ${s3.endpoint}`,
        '    force_path_style: true',
        '    key_prefix: "edge/date=%F/hour=%H/"',
        '    encoding: { codec: raw }',
        '    batch: { timeout_secs: 1 }',
        '    timeout_secs: 1',
        '    buffer: { max_events: 100000 }',
      ].join('\n'),
    );
    proc = startEdgetail(['run', '--config', config], {
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_REGION: s3.region,
      AWS_CONFIG_FILE: join(dir.path, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir.path, 'no-aws-credentials'),
    });
    const running = proc;
    let exited = false;
    void running.exited.then(() => (exited = true));
    await waitFor(async () => {
      if (exited) throw new Error(`edgetail exited early:\n${running.stderr().slice(-4000)}`);
      return (await allLines(s3, bucket)).lines.length >= LINES;
    }, 'all lines in the bucket', 180_000, 500);
    running.child.kill('SIGTERM');
    const { code } = await running.exited;
    assert.equal(code, 0, running.stderr().slice(-4000));

    const { keys, lines } = await allLines(s3, bucket);
    assert.equal(lines.length, LINES, 'no line twice');
    assert.deepEqual([...lines].sort(), [...input].sort());
    const keyRe = new RegExp(`^edge/date=2024-05-02/hour=00/\\d{10}-${UUID}\\.log\\.gz$`);
    for (const k of keys) assert.match(k, keyRe);
    const o = await getObject(s3, bucket, keys[0]!);
    assert.equal(o.contentEncoding, 'gzip');
    assert.equal(o.contentType, 'text/plain; charset=utf-8');
  } finally {
    if (proc && proc.child.exitCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    s3.client.destroy();
    dir.cleanup();
  }
});
