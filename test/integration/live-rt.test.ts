/** The `live` sink behind the real API server: the rt-compatible read API of a running demo. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../src/config/load.js';
import { startInstance } from '../../src/cli/instance.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { tempDir, waitFor } from '../helpers/context.js';

interface RtResponse {
  Timestamp: number;
  AggregateDelay: number;
  Data: Array<{ recorded: number; aggregated: Record<string, unknown>; datacenter: Record<string, Record<string, unknown>> }>;
  error?: string;
}

test('the demo serves Fastly rt-compatible stats from its live sink', { timeout: 90_000 }, async () => {
  const dir = tempDir();
  const yaml = demoConfig({ port: 0, dataDir: dir.path, rate: 2000 });
  const inst = await startInstance(parseConfigText(yaml, 'demo'), silentLogger());
  try {
    const base = `http://127.0.0.1:${inst.api!.address.port}`;
    const body = (await waitFor(async () => {
      const r = await fetch(`${base}/v1/channel/k8sDlCdn0cUt0v3rDemo01/ts/h`);
      if (r.status !== 200) return undefined;
      const j = (await r.json()) as RtResponse;
      return j.Data.length >= 2 ? j : undefined;
    }, 'two seconds of rt data', 60_000)) as RtResponse;
    assert.equal(typeof body.Timestamp, 'number');
    assert.equal(typeof body.AggregateDelay, 'number');
    let requests = 0;
    for (const d of body.Data) {
      assert.equal(typeof d.recorded, 'number');
      const agg = d.aggregated as Record<string, number>;
      requests += agg.requests ?? 0;
      // Per-POP numbers add up to the aggregate.
      const perPop = Object.values(d.datacenter).reduce((n, dc) => n + ((dc as Record<string, number>).requests ?? 0), 0);
      assert.equal(perPop, agg.requests ?? 0);
      assert.equal((agg.hits ?? 0) + (agg.miss ?? 0) + (agg.pass ?? 0) + (agg.errors ?? 0) + (agg.synth ?? 0) <= (agg.requests ?? 0), true);
    }
    assert.ok(requests > 0, 'edge requests were counted');
    const cursor = body.Timestamp;
    const next = (await (await fetch(`${base}/v1/channel/k8sDlCdn0cUt0v3rDemo01/ts/${cursor}`)).json()) as RtResponse;
    for (const d of next.Data) assert.ok(d.recorded > cursor, `second ${d.recorded} is not after the cursor ${cursor}`);
  } finally {
    await inst.stop(5000);
    dir.cleanup();
  }
});
