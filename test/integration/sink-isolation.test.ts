/**
 * Acceptance (issue "Foundation"): two http sinks, one answering 503 for 20 s. The healthy one keeps
 * receiving during the outage; afterwards both have everything, the healthy one with no duplicates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { startReceiver } from '../helpers/http-receiver.js';
import { tempDir, waitFor } from '../helpers/context.js';

const OUTAGE_MS = 20_000;
const RATE_PER_TICK = 200; // lines every 100 ms = 2,000 lines/s
const WRITE_MS = 26_000;

test('a failing sink does not stall or duplicate into a healthy one', { timeout: 240_000 }, async (t) => {
  const dir = tempDir();
  const healthy = await startReceiver();
  const failing = await startReceiver();
  let proc: Running | undefined;
  let writer: NodeJS.Timeout | undefined;
  try {
    const logFile = join(dir.path, 'edge.log');
    writeFileSync(logFile, '');
    const config = join(dir.path, 'edgetail.yaml');
    writeFileSync(
      config,
      [
        `data_dir: ${join(dir.path, 'data')}`,
        'api: { enabled: false }',
        'sources:',
        '  edge: { type: file, include: [' + logFile + '], format: fastly_json, glob_interval_ms: 200 }',
        'sinks:',
        '  good:',
        '    type: http',
        '    inputs: [edge]',
        `    uri: ${healthy.url}`,
        '    batch: { max_events: 200, timeout_secs: 0.2 }',
        '  bad:',
        '    type: http',
        '    inputs: [edge]',
        `    uri: ${failing.url}`,
        '    batch: { max_events: 200, timeout_secs: 0.2 }',
        '    buffer: { type: memory, max_events: 200000 }',
        '    request: { retry_initial_backoff_secs: 0.2, retry_max_backoff_secs: 2 }',
      ].join('\n'),
    );
    proc = startEdgetail(['run', '--config', config]);
    let written = 0;
    const writeTick = () => {
      const lines: string[] = [];
      for (let i = 0; i < RATE_PER_TICK; i++, written++) {
        lines.push(`{"timestamp":"2024-05-01T12:00:00Z","host":"cdn.dl.k8s.io","url":"/x/${written}","status":200,"pop":"FRA","is_edge":true,"request_id":"r${written}"}`);
      }
      appendFileSync(logFile, lines.join('\n') + '\n');
    };
    const started = Date.now();
    await new Promise<void>((resolve) => {
      writer = setInterval(() => {
        writeTick();
        if (Date.now() - started >= WRITE_MS) {
          clearInterval(writer);
          resolve();
        }
      }, 100);
      // The outage starts once data flows to both, and lasts OUTAGE_MS.
      void waitFor(() => healthy.distinct > 0 && failing.distinct > 0, 'first deliveries', 60_000).then(() => {
        failing.setFault({ status: 503, forMs: OUTAGE_MS });
        const atOutageStart = healthy.distinct;
        const failingAtStart = failing.distinct;
        setTimeout(() => {
          const grown = healthy.distinct - atOutageStart;
          t.diagnostic(`during the first ${OUTAGE_MS - 2000} ms of the outage: healthy sink +${grown} events, failing sink +${failing.distinct - failingAtStart}`);
          duringOutage = grown;
        }, OUTAGE_MS - 2000);
      });
    });
    await waitFor(() => duringOutage !== undefined, 'outage window measured', 60_000);
    // 2,000 lines/s for 18 s ≈ 36,000; require a clear majority of that so slow machines pass.
    assert.ok(duringOutage! >= 10_000, `healthy sink received only ${duringOutage} events during the outage`);

    await waitFor(() => healthy.distinct >= written && failing.distinct >= written, `both sinks to have all ${written} lines`, 120_000);
    t.diagnostic(`written ${written}; healthy: ${healthy.total} received, ${healthy.distinct} distinct; failing: ${failing.total} received, ${failing.distinct} distinct, ${failing.requests} requests`);
    assert.equal(healthy.distinct, written);
    assert.equal(failing.distinct, written);
    assert.equal(healthy.total, written, 'the healthy sink got no duplicates');
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    assert.equal(code, 0, proc.stderr());
  } finally {
    if (writer) clearInterval(writer);
    proc?.child.kill('SIGKILL');
    await healthy.close();
    await failing.close();
    dir.cleanup();
  }
});

let duringOutage: number | undefined;
