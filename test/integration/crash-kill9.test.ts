/**
 * Acceptance (issue "Foundation"): 200,000 lines through file → http; the process is killed with
 * SIGKILL five times at random moments and restarted; at the end every line was delivered at least
 * once (distinct event_ids = lines) and the duplicate count is reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { startReceiver } from '../helpers/http-receiver.js';
import { tempDir, waitFor } from '../helpers/context.js';

const LINES = 200_000;

function makeLines(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(
      `{"timestamp":"2024-05-01T12:00:${String(i % 60).padStart(2, '0')}Z","client_ip":"203.0.113.${i % 250}","host":"dl.k8s.io","url":"/release/v1.28.${i % 13}/bin/linux/amd64/kubectl","method":"GET","status":200,"cache_state":"HIT","resp_bytes":${1000 + i},"pop":"IAD","is_edge":true,"request_id":"req-${i}"}`,
    );
  }
  return parts.join('\n') + '\n';
}

test('kill -9 five times mid-stream: every line delivered at least once', { timeout: 300_000 }, async (t) => {
  const dir = tempDir();
  const receiver = await startReceiver();
  let proc: Running | undefined;
  try {
    const logFile = join(dir.path, 'edge.log');
    writeFileSync(logFile, makeLines(LINES));
    const config = join(dir.path, 'edgetail.yaml');
    writeFileSync(
      config,
      [
        `data_dir: ${join(dir.path, 'data')}`,
        'api: { enabled: false }',
        'sources:',
        '  edge:',
        '    type: file',
        `    include: [${logFile}]`,
        '    format: fastly_json',
        'sinks:',
        '  out:',
        '    type: http',
        '    inputs: [edge]',
        `    uri: ${receiver.url}`,
        '    compression: gzip',
        '    batch: { max_events: 500 }',
        '    request: { concurrency: 4, retry_initial_backoff_secs: 0.05 }',
      ].join('\n'),
    );
    // Slow the receiver a little so that the run spans several seconds and kills land mid-stream.
    receiver.setFault({ delayMs: 5 });
    const seed = Date.now();
    let rnd = seed;
    const random = () => ((rnd = (rnd * 1103515245 + 12345) % 2147483648) / 2147483648);
    const thresholds = Array.from({ length: 5 }, () => Math.floor(LINES * (0.05 + random() * 0.85))).sort((a, b) => a - b);
    t.diagnostic(`seed ${seed}; kill thresholds (distinct events delivered): ${thresholds.join(', ')}`);

    for (const threshold of thresholds) {
      proc = startEdgetail(['run', '--config', config]);
      const p = proc;
      await waitFor(() => receiver.distinct >= threshold || p.child.exitCode !== null, `delivery to pass ${threshold}`, 120_000, 5);
      assert.equal(p.child.exitCode, null, `edgetail exited early: ${p.stderr()}`);
      p.child.kill('SIGKILL');
      await p.exited;
    }
    proc = startEdgetail(['run', '--config', config]);
    const last = proc;
    await waitFor(() => receiver.distinct >= LINES || last.child.exitCode !== null, 'all lines delivered', 180_000);
    assert.equal(last.child.exitCode, null, `edgetail exited early: ${last.stderr()}`);
    last.child.kill('SIGTERM');
    const { code } = await last.exited;
    assert.equal(code, 0, `graceful stop failed: ${last.stderr()}`);

    assert.equal(receiver.distinct, LINES, 'every line delivered at least once');
    assert.ok(receiver.total >= LINES);
    t.diagnostic(`lines ${LINES}, received ${receiver.total}, distinct ${receiver.distinct}, duplicates ${receiver.total - receiver.distinct} (${((100 * (receiver.total - receiver.distinct)) / LINES).toFixed(2)}%)`);
  } finally {
    proc?.child.kill('SIGKILL');
    await receiver.close();
    dir.cleanup();
  }
});
