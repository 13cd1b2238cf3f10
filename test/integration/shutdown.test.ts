/**
 * Graceful shutdown is bounded even when a sink is down and its buffer is full (the source is then
 * blocked in emit), and loses nothing: a restart with the sink back delivers every line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startEdgetail } from '../helpers/cli.js';
import { startReceiver } from '../helpers/http-receiver.js';
import { tempDir, waitFor } from '../helpers/context.js';

const LINES = 2000;

/** A port that refuses connections (we bind, read the number, close). */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function writeConfig(path: string, dir: string, logFile: string, uri: string): void {
  writeFileSync(
    path,
    [
      `data_dir: ${join(dir, 'data')}`,
      'api: { enabled: false }',
      'shutdown_timeout_secs: 2',
      'sources:',
      `  edge: { type: file, include: [${logFile}], format: fastly_json }`,
      'sinks:',
      '  out:',
      '    type: http',
      '    inputs: [edge]',
      `    uri: ${uri}`,
      '    batch: { max_events: 100 }',
      '    buffer: { max_events: 100, when_full: block }',
      '    request: { retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.2 }',
    ].join('\n'),
  );
}

test('SIGTERM with a dead sink and a full buffer exits within the deadline and loses nothing', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  const logFile = join(dir.path, 'edge.log');
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) lines.push(`{"timestamp":"2024-05-01T12:00:00Z","status":200,"host":"dl.k8s.io","request_id":"r${i}"}`);
  writeFileSync(logFile, lines.join('\n') + '\n');
  const config = join(dir.path, 'edgetail.yaml');
  const receiver = await startReceiver();
  try {
    writeConfig(config, dir.path, logFile, `http://127.0.0.1:${await deadPort()}/ingest`);
    const first = startEdgetail(['run', '--config', config], { EDGETAIL_LOG: 'info' });
    // Wait until the sink is failing (with 2,000 lines and a 100-event buffer, the source is then blocked).
    await waitFor(() => /ECONNREFUSED|connect/i.test(first.stderr()) || first.child.exitCode !== null, 'a refused connection to be logged', 30_000);
    const t0 = Date.now();
    first.child.kill('SIGTERM');
    const { code } = await first.exited;
    const took = Date.now() - t0;
    t.diagnostic(`stopped in ${took} ms with shutdown_timeout_secs: 2`);
    assert.equal(code, 0, first.stderr());

    writeConfig(config, dir.path, logFile, receiver.url);
    const second = startEdgetail(['run', '--config', config]);
    await waitFor(() => receiver.distinct >= LINES || second.child.exitCode !== null, 'every line after the restart', 60_000);
    second.child.kill('SIGTERM');
    assert.equal((await second.exited).code, 0, second.stderr());
    assert.equal(receiver.distinct, LINES);
  } finally {
    await receiver.close();
    dir.cleanup();
  }
});
