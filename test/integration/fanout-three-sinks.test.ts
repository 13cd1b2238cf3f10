/**
 * Fan-out of one file to Splunk HEC, Datadog logs and S3 at once, with Datadog slow (every request
 * answered after 1 s, one at a time): HEC and S3 receive everything while Datadog has not got half
 * of it (its disk buffer absorbs the backlog, so the shared source is not held back), and in the
 * end all three have every line exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { startDatadogReceiver } from '../helpers/datadog-receiver.js';
import { startHecReceiver } from '../helpers/hec-receiver.js';
import { allLines, newBucket, startS3 } from './s3-support.js';
import { alive, edgeLine, writeEdgeLines } from './sink-run-support.js';

const LINES = 30_000;
const TOKEN = '5b1e0c7a-fanout-hec-token';

test('one file → HEC + Datadog (slow) + S3: the slow sink does not hold the others back', { timeout: 5 * 60_000 }, async (t) => {
  const s3 = await startS3();
  const hec = await startHecReceiver({ tokens: [TOKEN] });
  const dd = await startDatadogReceiver();
  const dir = tempDir();
  let run: Running | undefined;
  try {
    const bucket = await newBucket(s3, 'fanout');
    const logFile = join(dir.path, 'edge.log');
    writeEdgeLines(logFile, 0, LINES);
    const config = join(dir.path, 'edgetail.yaml');
    writeFileSync(
      config,
      [
        `data_dir: ${join(dir.path, 'data')}`,
        'api: { enabled: false }',
        'sources:',
        `  edge: { type: file, include: [${logFile}], format: fastly_json }`,
        'sinks:',
        '  splunk:',
        '    type: splunk_hec_logs',
        '    inputs: [edge]',
        `    endpoint: ${hec.url}`,
        `    token: ${TOKEN}`,
        '  datadog:',
        '    type: datadog_logs',
        '    inputs: [edge]',
        `    endpoint: ${dd.url}`,
        `    api_key: ${dd.apiKey}`,
        '    buffer: { type: disk }',
        '    request: { concurrency: 1 }',
        '  archive:',
        '    type: aws_s3',
        '    inputs: [edge]',
        `    bucket: ${bucket}`,
        `    endpoint: ${s3.endpoint}`,
        '    force_path_style: true',
        '    encoding: { codec: raw }',
        '    timeout_secs: 1',
        '    buffer: { max_events: 50000 }',
      ].join('\n'),
    );
    // ≥ 30 requests of 1,000 entries at 1 s each, one at a time: Datadog needs 30 s or more.
    dd.setFault({ delayMs: 1000 });
    run = startEdgetail(['run', '--config', config], {
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_REGION: s3.region,
      AWS_CONFIG_FILE: join(dir.path, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir.path, 'none'),
    });
    const p = run;
    await waitFor(async () => (alive(p), hec.counts.size >= LINES && (await allLines(s3, bucket)).lines.length >= LINES), 'HEC and S3 complete', 120_000, 250);
    const ddAtThatPoint = dd.logs.length;
    t.diagnostic(`when HEC and S3 had all ${LINES} lines, Datadog had ${ddAtThatPoint}`);
    assert.ok(ddAtThatPoint < LINES / 2, `the slow sink was not waited for (Datadog had ${ddAtThatPoint})`);

    await waitFor(() => (alive(p), dd.logs.length >= LINES), 'Datadog complete', 180_000, 250);
    dd.clearFault();
    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0, run.stderr().slice(-4000));
    assert.equal(hec.counts.size, LINES);
    assert.ok([...hec.counts.values()].every((c) => c === 1), 'HEC: exactly once');
    const ddIds = dd.logs.map((e) => (JSON.parse(e.message as string) as { request_id: string }).request_id);
    assert.equal(ddIds.length, LINES, 'Datadog: exactly once');
    assert.equal(new Set(ddIds).size, LINES);
    const { lines } = await allLines(s3, bucket);
    assert.deepEqual([...lines].sort(), Array.from({ length: LINES }, (_, i) => edgeLine(i)).sort(), 'S3: exactly once');
  } finally {
    if (run && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await run?.exited;
    await hec.close();
    await dd.close();
    s3.client.destroy();
    dir.cleanup();
  }
});
