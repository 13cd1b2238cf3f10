/** `edgetail tap` against a running demo's /live feed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { parseConfigText } from '../../src/config/load.js';
import { startInstance } from '../../src/cli/instance.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { formatSecond, runTap } from '../../src/cli/tap.js';
import type { LiveSecond } from '../../src/live/protocol.js';
import { tempDir, waitFor } from '../helpers/context.js';

function collector(): { stream: Writable; lines: () => string[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') };
}

test('formatSecond prints time, req/s, CDN share, hit ratio, 5xx and bypass', () => {
  const s: LiveSecond = {
    t: 1_700_000_000, requests: 120, edge: 120, origin: 40, originViaCdn: 10, originBypass: 30, cdnShare: 0.8,
    bytes: 0, edgeBytes: 0, originBytes: 0, status: { '1xx': 0, '2xx': 110, '3xx': 0, '4xx': 3, '5xx': 7 },
    cache: { hit: 90, miss: 10, pass: 0, error: 0, synth: 0 }, hitRatio: 0.9, originOffload: null, hosts: {}, pops: {}, originFetches: {},
  };
  // 1_700_000_000 = 2023-11-14T22:13:20Z
  assert.equal(formatSecond(s), '22:13:20  req/s    120  cdn  80.0%  hit  90.0%  5xx    7  bypass    30');
});

test('tap prints per-second lines and filtered tail events until stopped', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const inst = await startInstance(parseConfigText(demoConfig({ port: 0, dataDir: dir.path, rate: 2000 }), 'demo'), silentLogger());
  try {
    const out = collector();
    const err = collector();
    const ac = new AbortController();
    const done = runTap({ url: `ws://127.0.0.1:${inst.api!.address.port}/live`, filter: 'pop == "IAD"' }, out.stream, err.stream, ac.signal);
    await waitFor(() => {
      const l = out.lines();
      return l.filter((x) => x.includes('req/s')).length >= 2 && l.some((x) => x.startsWith('  · '));
    }, 'two rollup lines and a tail event', 60_000);
    ac.abort();
    assert.equal(await done, 0);
    for (const l of out.lines()) {
      if (l.startsWith('  · ')) assert.match(l, /^ {2}· \d\d:\d\d:\d\d IAD /);
      else assert.match(l, /^\d\d:\d\d:\d\d {2}req\/s +\d+ {2}cdn +(\d+\.\d%|–) {2}hit +(\d+\.\d%|–) {2}5xx +\d+ {2}bypass +0$/);
    }
    assert.match(err.lines()[0]!, /connected/);
    // A bad filter is reported by the server: exit code 2.
    const bad = collector();
    assert.equal(await runTap({ url: `ws://127.0.0.1:${inst.api!.address.port}/live`, filter: 'status ==' }, out.stream, bad.stream), 2);
    assert.ok(bad.lines().some((l) => l.includes('server:')));
  } finally {
    await inst.stop(5000);
    dir.cleanup();
  }
});
